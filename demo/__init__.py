"""Demo portfolio: a realistic, reproducible data set to try TAM Portal with (DESIGN 9).

`build_demo_portfolio` writes teams, managers, TAMs and accounts with the history the
dashboards read: opportunities, initiatives, stage adoption, success-plan objectives,
webinars, an activity timeline, ARR snapshots and usage snapshots (licence use and health
every four weeks, weekly in a customer's first weeks) over the last six fiscal quarters.

The history is shaped so every lifecycle metric (`metrics/formulas/`) has a population
in the current quarter, even a few weeks into it, and in the five before it (the trend):
customer-since dates are spread evenly within each ARR band, so every window a metric
looks at (the quarter's first weeks, the 60th and 90th days, renewal anniversaries) has
customers of every size; each band's newest customer signed in the quarter's first days
and onboarded fast; onboarding webinars run weekly; playbooks close every quarter, two of
them Strategic expansions closed this quarter; low-utilisation flags follow the usage
snapshots; and some recent customers have no first-value date, which the recompute
derives from their usage snapshots. Every date is relative to `as_of`, so the data
always looks current; 3,000 accounts seed in seconds on SQLite.

Limits: segments and priorities are left empty here; `seed_demo` runs the recompute
job afterwards, which derives them from the ARR, LAM and facts written here. The demo
refuses to write into a database that already has accounts, demo users or demo teams:
it never merges with or wipes real data.

The parts, in the order a portfolio is built:
- `tables`: every share, chance and weight drawn from (ARR bands, teams, health, NPS...);
  `words`: the word lists names, notes and titles are made of;
- `draws`: the calendar the history covers and the date and dollar helpers;
- `rows`: what is built (`DemoAccount` with its `AccountRow`, `DemoRows`);
- `people`: the admin, managers and TAMs, and the refusal to seed over existing data;
- `accounts`: book owners, ARR bands and ARR, parents, names, customer-since dates;
- `lifecycle`: the rest of an account's fields (LAM, onboarding dates, usage, health,
  churn, success plan, flags);
- `facts`: stage adoption, initiatives, opportunities, objectives, ARR snapshots;
- `activities`: the timeline (calls, EBRs, milestones, surveys, playbooks, plan changes);
- `usage`: usage snapshots and low-utilisation saves; `webinars`: sessions and attendance;
- `writing`: everything built, flattened to plain rows and written (COPY on PostgreSQL,
  executemany elsewhere);
- `portfolio`: `build_demo_portfolio`, the random streams and the per-account pipeline;
- `health_history`: a year of health history, scored once the recompute has set segments
  and priorities (`seed_demo` calls it after the run);
- `logins`: the logins `seed_demo` prints.

`bench/build_portfolio.py` builds its much larger portfolios from the same parts.
"""

from .logins import DemoLogin, demo_logins, existing_logins
from .people import DEMO_PASSWORD, DemoDataConflict
from .portfolio import DemoSummary, build_demo_portfolio
from .tables import DEFAULT_ACCOUNTS, DEFAULT_SEED, HISTORY_QUARTERS

__all__ = [
    "DEFAULT_ACCOUNTS",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "HISTORY_QUARTERS",
    "DemoDataConflict",
    "DemoLogin",
    "DemoSummary",
    "build_demo_portfolio",
    "demo_logins",
    "existing_logins",
]
