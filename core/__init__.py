"""Django helpers that know no domain (the bottom of layer 2, DESIGN 13).

- `bulk`: set-based writes (COPY, `unnest` UPDATEs) and keyset paging, with the SQLite path.
- `large_admin`: admin list pages that stay fast on tables of a million rows.
- `lookups`: the `__any` lookup (`= ANY(array)` on PostgreSQL, `IN` elsewhere).
- `changes`: how a domain write says which accounts' rule inputs changed, without
  knowing who recomputes them.
- `rejected_forms`: a refused form goes back to its page, at the form, as typed
  (Post/Redirect/Get; used by the dashboard and the account page).
- `models`, `audit`, `audit_admin`, `admin`: the audit log (who changed which setting or
  decided which request, before and after), recorded by every app above, read in admin.
"""
