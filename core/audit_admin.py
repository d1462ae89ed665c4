"""The admin half of the audit log: a mixin that records every write an admin page makes.

Put `AuditedAdmin` first in the bases of each admin class of an audited model (thresholds,
parameters, targets, rhythm rows, keys, people and teams, decisions). It records:
- a form save and a list edit (`list_editable`): the database row before (`save_model`)
  and the saved object after, once its many-to-many fields are saved (`save_related`);
- inline rows (a metric's targets on its page): `save_formset`;
- a deletion, one or many (`delete_model`, `delete_queryset`);
- every other admin action, including those that write with `QuerySet.update`: the
  selected rows before and after the action.
"""

from __future__ import annotations

from functools import wraps

from .audit import Written, record, record_all, snapshot

ADMIN = "admin"


class AuditedAdmin:
    # Fields an admin must not see in the log even as names (beyond `audit.NEVER_RECORDED`).
    audit_exclude: tuple[str, ...] = ()
    # A change of one of these fields is a decision (a request approved or rejected).
    audit_decision_fields: tuple[str, ...] = ()

    def _audit_snapshot(self, obj, **options):
        return snapshot(obj, exclude=self.audit_exclude, **options)

    def _audit_action(self, before, after):
        decided = before is not None and any(
            before.get(name) != after.get(name) for name in self.audit_decision_fields
        )
        return "decided" if decided else None

    def save_model(self, request, obj, form, change):
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        obj._audit_before = self._audit_snapshot(stored, with_many_to_many=True) if stored else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(obj, "_audit_before", None)
        # As stored, not as typed: a decimal typed "75000" is stored as 75000.00.
        stored = type(obj)._default_manager.get(pk=obj.pk)
        after = self._audit_snapshot(stored, with_many_to_many=True)
        record(
            obj=obj,
            before=before,
            after=after,
            actor=request.user,
            action=self._audit_action(before, after),
            via=ADMIN,
        )

    def save_formset(self, request, form, formset, change):
        model = formset.model
        touched = [
            f.instance.pk
            for f in formset.initial_forms
            if f.instance.pk is not None and (f.has_changed() or formset._should_delete_form(f))
        ]
        stored = model._default_manager.in_bulk(touched) if touched else {}
        # A deleted row's instance loses its pk: know it by the instance itself.
        pk_of = {id(f.instance): f.instance.pk for f in formset.initial_forms}
        before = {pk: snapshot(obj, exclude=self.audit_exclude) for pk, obj in stored.items()}
        super().save_formset(request, form, formset, change)
        saved = [obj.pk for obj in formset.new_objects]
        saved += [obj.pk for obj, _ in formset.changed_objects]
        stored_now = model._default_manager.in_bulk(saved) if saved else {}
        writes = [
            Written(model, pk, str(obj), before.get(pk), snapshot(obj, exclude=self.audit_exclude))
            for pk, obj in stored_now.items()
        ]
        writes += [
            Written(model, pk, str(stored[pk]), before[pk], None)
            for pk in (pk_of.get(id(obj)) for obj in formset.deleted_objects)
            if pk in before
        ]
        record_all(writes, actor=request.user, via=ADMIN)

    def delete_model(self, request, obj):
        before, pk, label = self._audit_snapshot(obj, with_many_to_many=True), obj.pk, str(obj)
        super().delete_model(request, obj)
        record_all([Written(type(obj), pk, label, before, None)], actor=request.user, via=ADMIN)

    def delete_queryset(self, request, queryset):
        doomed = [
            Written(queryset.model, obj.pk, str(obj), self._audit_snapshot(obj), None)
            for obj in queryset.all()
        ]
        super().delete_queryset(request, queryset)
        record_all(doomed, actor=request.user, via=ADMIN)

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {
            name: (
                (func if name == "delete_selected" else self._audited_action(func, name)),
                name,
                description,
            )
            for name, (func, _, description) in actions.items()
        }

    def _audited_action(self, func, name):
        """The action, recording the selected rows it changed (it may write with
        `QuerySet.update`, which no save method sees). The deletion action is recorded by
        `delete_queryset`."""

        @wraps(func)
        def run(modeladmin, request, queryset):
            model = queryset.model
            # A copy of the queryset: the action gets its own, not one already evaluated.
            before = {obj.pk: (str(obj), self._audit_snapshot(obj)) for obj in queryset.all()}
            response = func(modeladmin, request, queryset)
            after = model._default_manager.in_bulk(list(before))
            writes = []
            for pk, (label, was) in before.items():
                obj = after.get(pk)
                now = self._audit_snapshot(obj) if obj is not None else None
                writes.append(Written(model, pk, str(obj) if obj else label, was, now))
            record_all(writes, actor=request.user, via=f"admin action: {name}")
            return response

        return run
