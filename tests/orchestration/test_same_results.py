"""A whole recompute gives the same results as the code did before it was reworked for speed
(issue 14, point 1: "a test that compares a run before and after on the benchmark's data").

The benchmark's portfolio, 2,000 accounts with a year of history, is built with the clock
pinned inside a running fiscal quarter and recomputed twice (a first run, where everything
is new, and a second one, where nothing changed); what the runs wrote is compared, section
by section, with `tests/data/recompute_reference.json.gz`, recorded from commit 2161531
(bench/reference_run.py says what is recorded and how). The reference is the same on
SQLite and PostgreSQL: both databases ran at that commit and gave byte-identical files.

A deliberate change of a rule changes the reference too. Regenerate it, and read the
differences this test printed before, so that only the intended ones go in:

    .venv/bin/python bench/reference_run.py --check    # what differs, writing nothing
    .venv/bin/python bench/reference_run.py            # writes the new reference
    bench/run reference [--check]                      # the same on a throwaway PostgreSQL
"""

import copy

import pytest

from bench.reference_run import differences, load_reference, record_runs

pytestmark = pytest.mark.django_db

SHOWN = 5  # entries shown per section and kind of difference


def test_a_whole_run_writes_what_it_wrote_before_the_speed_work():
    reference = load_reference()
    parameters = reference["parameters"]
    recording = record_runs(parameters["accounts"], parameters["seed"], parameters["chunk_size"])

    found = differences(reference, recording, shown=SHOWN)

    assert not found, (
        f"The recompute no longer writes what it wrote at {reference['generated_from']} "
        f"(first {SHOWN} differences of each kind per section):\n" + "\n".join(found)
    )


def test_a_difference_is_named_by_its_entry_and_field():
    """What the test above prints: the entry's key and the field that moved, not a dump."""
    reference = load_reference()
    changed = copy.deepcopy(reference)
    first = changed["first_run"]
    account = next(entry for entry in first["accounts"] if entry["priority"] is not None)
    before = account["priority"]
    account["priority"] = 5 - before  # 1<->4, 2<->3: always another priority
    removed = first["metric_results"].pop()
    first["run"]["priorities_changed"] += 1
    counted = first["run"]["priorities_changed"]

    found = differences(reference, changed)

    accounts, results = len(first["accounts"]), len(first["metric_results"])
    assert found[:4] == [
        f"first_run record: priorities_changed {counted - 1} -> {counted}",
        f"first_run accounts: {accounts} expected, {accounts} got; 0 missing, 0 extra, 1 changed",
        f"  {account['account']}: priority {before} -> {5 - before}",
        f"first_run metric_results: {results + 1} expected, {results} got; "
        "1 missing, 0 extra, 0 changed",
    ]
    key = "/".join(removed[name] for name in ("metric", "scope_type", "scope", "quarter"))
    assert found[4].startswith(f"  missing {key}: {{")
    assert len(found) == 5
    assert differences(reference, copy.deepcopy(reference)) == []
