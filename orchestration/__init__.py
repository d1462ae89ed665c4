"""Layer 3 of DESIGN 13: the recompute run and the reactions to a change, in one place.

- `configuration`: the admin-editable tables, read as plain data for the pure rules.
- `reading`: accounts and the facts around them, read in chunks.
- `engine`: the two passes (rank, decide) over every account, threaded, with the one
  retry layer (a chunk, on a named transient database error).
- `writing`: a chunk's changed accounts and assessments, set-based.
- `selection`: the same for a few accounts now, and the explanation of one.
- `lock`: one run at a time; `runs`: the run itself, recorded in `models.RecomputeRun`.
- `preview`: what an unsaved threshold or parameter edit would move.
- `outbox`: every request for a recompute, stored with the change that asked for it.
- `reactions`: store the accounts a domain write says changed (`core.changes`) in the
  outbox, then recompute them after the commit: a person's edit at once, a bulk write
  through `requests` (one debounced task).
- `requests`: the recompute of what waits in the outbox, and the sweep that redoes dead
  runs and delivers what the broker missed.
- `tasks`: the Celery entry points, and the delivery of the outbox to the broker.
"""
