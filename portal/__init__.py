"""The faces that compose several domains (layer 4 of DESIGN 13).

- `book`: the book of business (table, filters, CSV).
- `account_page`: one account: facts, clocks, metrics, why its priority, timeline, logging.
- `account_metrics`: this quarter's figures for one account against the metric targets.
- `decisions`: exception requests and EMEA proposals, and their decisions.
- `admin`: admin pages that reach into more than one domain (impact previews, recompute
  on save).
- `management/commands`: the command-line interface of DESIGN 9.
"""
