"""A whole recompute pinned down: the benchmark's portfolio, small, recomputed twice on a
fixed day, and a canonical snapshot of everything the two runs wrote (issue 14: "same
results as today", a run before and after on the benchmark's data).

`record_runs()` builds the portfolio with its history (bench/build_portfolio.py,
`activities=True`) with the clock pinned to `DAY`, a day inside a running fiscal quarter,
runs `recompute(as_of=DAY)` twice (a first run, where everything is new, and a second,
where nothing changed) and snapshots after each run:
- accounts: segment, priority and its reasons, the previous priority and the day it
  changed, health and its score, the first-value date and whether the run derived it;
- assessments: quarter, computed and effective priority, reasons, source, decider;
- health history: day, band, score, measures (with the weights after sharing out and
  contributions they make, which the rows no longer keep);
- metric results: metric, scope, quarter, numerator, denominator, value, target,
  attained, details;
- the run's record: its counts (accounts, changes, assessments, failures, metric results,
  health) but not its timings or chunking, which are how the run went, not what it found.
Every row is keyed by what names it (an account's external id, a TAM's username, a team's
name, a region's code), never by an autoincrement id, which PostgreSQL's sequences make
differ from one test to the next. Decimals are written normalised ("0.25", not "0.2500")
so that both databases give the same text.

tests/orchestration/test_same_results.py compares a fresh snapshot with the reference,
`tests/data/recompute_reference.json.gz`, first generated from commit 2161531 (before the
recompute was reworked for speed). To regenerate it after a deliberate rule change, on a
throwaway test database (Django's, created and dropped here; never the real one):

    .venv/bin/python bench/reference_run.py            # SQLite, writes the reference
    .venv/bin/python bench/reference_run.py --check    # compares only, prints differences
    bench/run reference [--check]                      # the same on a throwaway PostgreSQL
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "data" / "recompute_reference.json.gz"

# FY27-Q4 runs 2026-11-01 .. 2027-01-31 (fiscal year from February): the quarter is running.
DAY = datetime.date(2026, 11, 24)
MOMENT = datetime.datetime(2026, 11, 24, 9, tzinfo=datetime.UTC)
ACCOUNTS = 2_000
SEED = 14
# Small, so the run has seven chunks (six of 300 and one of 200), as a large portfolio has
# many: the rankings and metrics merged across chunks are part of what is pinned. At
# 2161531 the snapshot was the same with one chunk of 5,000.
CHUNK_SIZE = 300

RUN_FIELDS = (
    "status",
    "accounts",
    "segments_changed",
    "priorities_changed",
    "assessments_created",
    "assessments_updated",
    "failed_accounts",
)
RUN_DETAILS = (
    "first_value_dates_derived",
    "metrics_quarter",
    "metric_results_created",
    "metric_results_updated",
    "metric_results_deleted",
    "health_changed",
    "health_bands_changed",
    "health_history_written",
)
# The key naming each entry of a section, for comparing entry by entry.
KEYS = {
    "accounts": ("account",),
    "assessments": ("account", "quarter"),
    "health_history": ("account", "on"),
    "metric_results": ("metric", "scope_type", "scope", "quarter"),
}


def record_runs(accounts: int = ACCOUNTS, seed: int = SEED, chunk_size: int = CHUNK_SIZE) -> dict:
    """Build the portfolio on an empty, migrated database, recompute twice on `DAY`, and
    return the parameters and a snapshot after each run."""
    import time_machine

    from bench.build_portfolio import build_portfolio
    from orchestration.runs import recompute

    with time_machine.travel(MOMENT, tick=False):
        build_portfolio(accounts, seed=seed, as_of=DAY, activities=True)
        runs = []
        for _ in range(2):  # a first run, then a second one where nothing changed
            run = recompute(as_of=DAY, trigger="reference", chunk_size=chunk_size)
            runs.append(snapshot(run))
    return {
        "parameters": {
            "accounts": accounts,
            "seed": seed,
            "chunk_size": chunk_size,
            "day": DAY.isoformat(),
        },
        "first_run": runs[0],
        "second_run": runs[1],
    }


def snapshot(run) -> dict:
    """Everything the recompute writes, canonical: sorted, keyed by names, plain JSON."""
    from accounts.models import Account
    from health.models import HealthHistory
    from metrics.models import MetricResult
    from prioritization.models import PriorityAssessment

    names = _ScopeNames()
    account_rows = Account.objects.order_by("external_id").values_list(
        "external_id", "segment__code", "priority", "priority_reasons", "previous_priority",
        "priority_changed_on", "health", "health_score", "first_value_on", "first_value_derived",
    )  # fmt: skip
    assessment_rows = PriorityAssessment.objects.order_by(
        "account__external_id", "fiscal_quarter"
    ).values_list(
        "account__external_id", "fiscal_quarter", "computed_priority", "effective_priority",
        "reasons", "source", "decided_by__username",
    )  # fmt: skip
    history_rows = HealthHistory.objects.order_by("account__external_id", "on").values_list(
        "account__external_id", "on", "band", "score", "measures"
    )
    result_rows = MetricResult.objects.values_list(
        "metric__key", "scope_type", "scope", "fiscal_quarter", "numerator", "denominator",
        "value", "target", "attained", "details",
    )  # fmt: skip
    results = [
        {
            "metric": metric,
            "scope_type": scope_type,
            "scope": names.of(scope_type, scope),
            "quarter": quarter,
            "numerator": _decimal(numerator),
            "denominator": _decimal(denominator),
            "value": _decimal(value),
            "target": _decimal(target),
            "attained": attained,
            "details": details,
        }
        for (metric, scope_type, scope, quarter, numerator, denominator, value, target,
             attained, details) in result_rows
    ]  # fmt: skip
    return _plain(
        {
            "run": _run_record(run),
            "accounts": [
                dict(zip(("account", *ACCOUNT_FIELDS), row, strict=True)) for row in account_rows
            ],
            "assessments": [
                dict(zip(KEYS["assessments"] + ASSESSMENT_FIELDS, row, strict=True))
                for row in assessment_rows
            ],
            "health_history": [
                dict(
                    zip(KEYS["health_history"] + HISTORY_FIELDS[:-1], row[:-1], strict=True),
                    measures=_explained(row[-1]),
                )
                for row in history_rows
            ],
            "metric_results": sorted(results, key=lambda entry: _key("metric_results", entry)),
        }
    )


def _explained(measures: dict) -> dict:
    """The history's measures with each one's weight after sharing out and contribution,
    as the account page works them out: rows stopped keeping the two (derived from band,
    weight and pool) in December 2026, and the reference, from before, has them."""
    from health.explanation import measures_from_json

    derived = {
        measure.measure.value: {
            "effective_weight": str(measure.effective_weight),
            "contribution": str(measure.contribution),
        }
        for measure in measures_from_json(measures).measures
    }
    return {code: {**item, **derived.get(code, {})} for code, item in measures.items()}


ACCOUNT_FIELDS = (
    "segment", "priority", "priority_reasons", "previous_priority", "priority_changed_on",
    "health", "health_score", "first_value_on", "first_value_derived",
)  # fmt: skip
ASSESSMENT_FIELDS = ("computed", "effective", "reasons", "source", "decided_by")
HISTORY_FIELDS = ("band", "score", "measures")


def _run_record(run) -> dict:
    from accounts.models import Account

    run.refresh_from_db()
    details = run.details or {}
    record = {field: getattr(run, field) for field in RUN_FIELDS}
    record.update({key: details.get(key) for key in RUN_DETAILS})
    failed = dict(
        Account.objects.filter(
            pk__in=[failure["account_id"] for failure in run.failures]
        ).values_list("pk", "external_id")
    )
    record["failures"] = sorted(
        [failed.get(failure["account_id"]), failure.get("step")] for failure in run.failures
    )
    return record


class _ScopeNames:
    """A metric result's scope as a name: the scope of a TAM, a team or a region is its id."""

    def __init__(self):
        from accounts.models import Region
        from people.models import Team, User

        self.users = dict(User.objects.values_list("pk", "username"))
        self.teams = dict(Team.objects.values_list("pk", "name"))
        self.regions = dict(Region.objects.values_list("pk", "code"))

    def of(self, scope_type: str, scope: str) -> str:
        from metrics.models import TEAM_SEGMENT_SEPARATOR, ScopeType

        if scope_type == ScopeType.TAM:
            return self.users[int(scope)]
        if scope_type == ScopeType.TEAM:
            return self.teams[int(scope)]
        if scope_type == ScopeType.REGION:
            return self.regions[int(scope)]
        if scope_type == ScopeType.TEAM_SEGMENT:
            team, segment = scope.split(TEAM_SEGMENT_SEPARATOR, 1)
            return f"{self.teams[int(team)]}{TEAM_SEGMENT_SEPARATOR}{segment}"
        return scope


def _decimal(value: Decimal | None) -> str | None:
    # normalize() alone writes 100 as "1E+2".
    return None if value is None else format(value.normalize(), "f")


def _plain(value):
    """Through JSON and back: dates become ISO text, tuples lists, as the stored file has them."""
    return json.loads(json.dumps(value, default=_json_default, sort_keys=True))


def _json_default(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _decimal(value)
    raise TypeError(f"{type(value).__name__} in a snapshot: {value!r}")


def _key(section: str, entry: dict) -> tuple:
    return tuple(str(entry[name]) for name in KEYS[section])


# --- comparing --------------------------------------------------------------------------


def differences(expected: dict, actual: dict, *, shown: int = 5) -> list[str]:
    """Readable differences between two recordings, section by section: per section the
    number of entries missing, extra and changed, and the first `shown` of each, field by
    field. Empty when they are the same."""
    lines = []
    if expected["parameters"] != actual["parameters"]:
        lines.append(f"parameters: expected {expected['parameters']}, got {actual['parameters']}")
    for run in ("first_run", "second_run"):
        before, after = expected[run], actual[run]
        changed = _changed_fields(before["run"], after["run"])
        if changed:
            lines.append(f"{run} record: " + "; ".join(changed))
        for section in KEYS:
            lines += _section_differences(
                f"{run} {section}", section, before[section], after[section], shown
            )
    return lines


def _section_differences(label: str, section: str, before: list, after: list, shown: int):
    old = {_key(section, entry): entry for entry in before}
    new = {_key(section, entry): entry for entry in after}
    missing = [key for key in old if key not in new]
    extra = [key for key in new if key not in old]
    changed = [key for key in old if key in new and old[key] != new[key]]
    if not (missing or extra or changed):
        return []
    lines = [
        f"{label}: {len(before)} expected, {len(after)} got; {len(missing)} missing, "
        f"{len(extra)} extra, {len(changed)} changed"
    ]
    lines += [f"  missing {'/'.join(key)}: {_short(old[key])}" for key in missing[:shown]]
    lines += [f"  extra {'/'.join(key)}: {_short(new[key])}" for key in extra[:shown]]
    for key in changed[:shown]:
        lines.append(f"  {'/'.join(key)}: " + "; ".join(_changed_fields(old[key], new[key])))
    return lines


def _changed_fields(old: dict, new: dict, path: str = "") -> list[str]:
    """The fields that differ, a nested one by its path ("measures.voice.band"), so a
    change inside the health measures shows itself rather than the whole of them."""
    lines = []
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name, _ABSENT), new.get(name, _ABSENT)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            lines += _changed_fields(before, after, f"{path}{name}.")
        else:
            lines.append(f"{path}{name} {_short(before)} -> {_short(after)}")
    return lines


_ABSENT = object()


def _short(value, limit: int = 300) -> str:
    if value is _ABSENT:
        return "(absent)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "..."


def load_reference(path: Path = REFERENCE) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as stored:
        return json.load(stored)


def write_reference(recording: dict, path: Path = REFERENCE) -> None:
    recording = {**recording, "generated_from": _commit()}
    # No name, mtime=0: the same recording gives the same bytes, so git sees no change.
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed,
    ):
        packed.write(json.dumps(recording, indent=0, sort_keys=True).encode("utf-8") + b"\n")


def _commit() -> str:
    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), *arguments], capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "HEAD") + (" (with uncommitted changes)" if dirty else "")


# --- the command ------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Record two recompute runs on the benchmark's portfolio as the reference."
    )
    parser.add_argument("--check", action="store_true", help="compare with it; write nothing")
    parser.add_argument("--output", type=Path, default=REFERENCE)
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    arguments = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tam_portal.settings")
    os.environ.setdefault("SECRET_KEY", "reference-run-not-a-secret")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings, setup_databases, teardown_databases

    import orchestration

    code = Path(orchestration.__file__).resolve().parent.parent
    print(f"code from {code} ({_commit()}), database {connection.vendor}", flush=True)
    if code != ROOT:
        print(f"refusing: the code imported is not this tree's ({ROOT})", file=sys.stderr)
        return 2
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        # One worker: threads' connections would not see an in-memory SQLite database.
        with override_settings(RECOMPUTE_WORKERS=1):
            recording = record_runs(arguments.accounts, arguments.seed, arguments.chunk_size)
    finally:
        teardown_databases(databases, verbosity=0)
    first = recording["first_run"]
    print(
        "first run: "
        + ", ".join(f"{name} {len(first[name]):,}" for name in KEYS)
        + f"; record {first['run']}",
        flush=True,
    )
    if not arguments.check:
        write_reference(recording, arguments.output)
        print(f"wrote {arguments.output} ({arguments.output.stat().st_size:,} bytes)")
        return 0
    found = differences(load_reference(arguments.output), recording)
    print("\n".join(found) if found else f"same as {arguments.output}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
