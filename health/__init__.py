"""The health score and its scorecards (DESIGN 11), a domain app (DESIGN 13, layer 2).

- `scorecard`: the rules, pure (no Django): one account's inputs in, the explained score out.
- `movement`: what moved a score between two days, pure.
- `models`: the admin-editable scorecards (a default and one per segment), validated.
- `selectors`: the scorecards as the pure module's plain data.
"""
