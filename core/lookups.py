"""`field__any=[...]`: membership in a long list, sent as one array parameter.

`__in` with thousands of values makes Django prepare every value and PostgreSQL parse a
placeholder each; `= ANY(%s)` sends one array. Other databases get a plain IN list, so
callers chunk their lists (see `core.bulk.CHUNK_SIZE`).
"""

from django.db.models import Field, ForeignObject, Lookup


class Any(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        """A plain IN list, which every database reads."""
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "1 = 0", list(lhs_params)
        placeholders = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({placeholders})", [*lhs_params, *values]

    def as_postgresql(self, compiler, connection):
        """One array parameter (Django calls `as_<vendor>` where the database has one)."""
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


Field.register_lookup(Any)
# Relations keep their own lookup table; ids are plain values here, so the same class fits.
ForeignObject.register_lookup(Any)
