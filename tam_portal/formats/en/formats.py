# One date format everywhere a person reads (DESIGN 12, "Words, not codes"): ISO 8601, the
# one order nobody on an international team misreads. Django always localises, so the
# "en" locale's "N j, Y" would win over settings.DATE_FORMAT; a format module wins over
# the locale. The input formats stay Django's (ISO first). lib/words.py says the same for
# Python code.
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
