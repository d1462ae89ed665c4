"""The metrics' per-chunk partial sums: merged, carried as JSON, and split over threads."""

import datetime
import json
from decimal import Decimal

import pytest
import time_machine

from accounts.models import Account, ArrSnapshot
from lib.fiscal import parse_quarter_label
from metrics import formulas
from metrics.compute import compute_quarter, prepare_quarter, quarter_chunk, write_quarter
from metrics.models import MetricResult
from metrics.partials import MetricsPartial, scopes_of
from segments.models import Segment
from tests.factories import AccountFactory, ActivityFactory, TamFactory, TeamFactory

Q3 = parse_quarter_label("FY27-Q3")  # 2026-08-01 .. 2026-10-31
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9), tick=False):
        yield


def _accumulator(count, numerator, denominator, samples=None, extra=None):
    accumulator = formulas.Accumulator()
    accumulator.count = count
    accumulator.numerator = numerator
    accumulator.denominator = denominator
    accumulator.samples = samples
    accumulator.extra = extra or {}
    return accumulator


def _fields(accumulator):
    return (
        accumulator.count,
        accumulator.numerator,
        accumulator.denominator,
        accumulator.samples,
        accumulator.extra,
    )


def _partial():
    named = (7, 3, 1, "named")
    no_tam = (None, None, 2, None)
    return MetricsPartial(
        accounts=3,
        failures=[{"account_id": 9, "account": "", "step": "metrics", "error": "ValueError: x"}],
        places={named, no_tam},
        sums={
            "gross_retention": {
                named: _accumulator(1, Decimal("150000.50"), Decimal("200000.00")),
            },
            "time_to_first_value": {
                named: _accumulator(2, Decimal(1), Decimal(2), [14, 40], {"cohort": Decimal(2)}),
                no_tam: _accumulator(1, Decimal(0), Decimal(0), None, {"cohort": Decimal(1)}),
            },
            "webinars_per_quarter": {named: _accumulator(2, Decimal(0), Decimal(0), {5, 11})},
        },
    )


def test_a_partial_comes_back_from_its_json_exactly():
    """Decimals keep their digits (150000.50, not 150000.5), a distinct metric's samples
    come back a set, a median's a list, and a place without a TAM keeps its None."""
    partial = _partial()

    text = json.dumps(partial.to_json())
    back = MetricsPartial.from_json(json.loads(text))

    assert (back.accounts, back.failures, back.places) == (
        partial.accounts,
        partial.failures,
        partial.places,
    )
    assert back.sums.keys() == partial.sums.keys()
    for key, by_place in partial.sums.items():
        assert {place: _fields(sums) for place, sums in back.sums[key].items()} == {
            place: _fields(sums) for place, sums in by_place.items()
        }
    assert str(back.sums["gross_retention"][(7, 3, 1, "named")].numerator) == "150000.50"
    assert back.sums["webinars_per_quarter"][(7, 3, 1, "named")].samples == {5, 11}


def test_merging_adds_places_and_sums_and_keeps_failures_in_order():
    first, second = _partial(), _partial()
    second.failures[0]["account_id"] = 10
    second.places.add((8, 3, 1, "named"))

    first.merge(second)

    named = (7, 3, 1, "named")
    assert first.accounts == 6
    assert [failure["account_id"] for failure in first.failures] == [9, 10]
    assert (8, 3, 1, "named") in first.places
    retention = first.sums["gross_retention"][named]
    assert (retention.count, retention.numerator) == (2, Decimal("300001.00"))
    value = first.sums["time_to_first_value"][named]
    assert (value.samples, value.extra) == ([14, 40, 14, 40], {"cohort": Decimal(4)})
    assert first.sums["webinars_per_quarter"][named].samples == {5, 11}  # distinct


def test_a_place_counts_in_each_of_its_scopes():
    """TAM 7 of team 3 in region 1, Named: company, region, TAM, team, segment and team x
    segment; the place with no TAM, team or segment counts in the company and region."""
    partial = _partial()

    by_scope = partial.scope_accumulators("time_to_first_value")

    assert by_scope[("company", "all")].count == 3
    assert by_scope[("region", "2")].count == 1
    assert {scope: by_scope[scope].count for scope in by_scope if scope[0] != "region"} == {
        ("company", "all"): 3,
        ("tam", "7"): 2,
        ("team", "3"): 2,
        ("segment", "named"): 2,
        ("team_segment", "3:named"): 2,
    }


def _merged_one_by_one(partial, key):
    # What folding did before issue 14: each place merged into each of its scopes in turn.
    kind = formulas.METRICS_BY_KEY[key].kind
    by_scope = {}
    for place, accumulator in partial.sums[key].items():
        for scope in scopes_of(place):
            by_scope.setdefault(scope, formulas.Accumulator()).merge(accumulator, kind)
    return by_scope


def _as_text(accumulator):
    # Decimals as their text: a sum's form shows in `details` ("10", not "1E+1"). A
    # median's samples in order: the median sorts them, so their order is free.
    count, numerator, denominator, samples, extra = _fields(accumulator)
    extra = [(name, str(amount)) for name, amount in extra.items()]
    if isinstance(samples, list):
        samples = sorted(samples)
    return (count, str(numerator), str(denominator), samples, extra)


@pytest.mark.parametrize("key", ["gross_retention", "time_to_first_value", "webinars_per_quarter"])
def test_folding_in_stages_adds_what_merging_place_by_place_did(key):
    """Four more places: in team 3 another segment (sums written "1E+1") and another TAM,
    a TAM without a team, a team without a segment; so scopes gather one to five places,
    some through a team's segment and some straight. Counts, sums, samples, extras and the
    form of every Decimal come out as merging one by one gave them."""
    partial = _partial()
    kind = formulas.METRICS_BY_KEY[key].kind
    samples = {5, 12} if kind == "distinct" else [3, 90]
    more = {
        (8, 3, 1, "mid-touch"): _accumulator(
            1, Decimal("1E+1"), Decimal("2.5"), samples, {"cohort": Decimal("1E+1")}
        ),
        (9, 3, 1, "named"): _accumulator(1, Decimal("0.25"), Decimal(3), None, None),
        (10, None, 2, "named"): _accumulator(2, Decimal(1), Decimal(4), samples, None),
        (11, 4, 2, None): _accumulator(1, Decimal("-2"), Decimal(1), None, None),
    }
    partial.places |= set(more)
    partial.sums[key].update(more)

    folded = partial.scope_accumulators(key)

    expected = _merged_one_by_one(partial, key)
    assert {scope: _as_text(sums) for scope, sums in folded.items()} == {
        scope: _as_text(sums) for scope, sums in expected.items()
    }
    assert folded[("segment", "named")].count == expected[("segment", "named")].count > 1
    assert ("team", "4") in folded and ("team_segment", "4:None") not in folded


def _book():
    """Eight accounts over two teams and three segments, with EBRs, a webinar attendance,
    a survey and an ARR that grew: enough for every kind of sum to be non-trivial."""
    team_b_tam = TamFactory(team=TeamFactory(name="Team B"))
    tams = [TamFactory(), team_b_tam]
    segments = [Segment.objects.get(code=code) for code in ("strategic", "named", "mid-touch")]
    for number in range(8):
        account = AccountFactory(
            tam=tams[number % 2],
            segment=segments[number % 3],
            priority=1 + number % 2,
            customer_since=datetime.date(2026, 8, 1 + number),
            first_value_on=datetime.date(2026, 8, 20 + number) if number % 2 else None,
        )
        if number % 3 != 1:
            ActivityFactory(account=account, kind="ebr", occurred_on=datetime.date(2026, 9, 15))
        ArrSnapshot.objects.create(
            account=account, fiscal_quarter="FY27-Q3", arr=Decimal(100000 + 1000 * number)
        )
        ArrSnapshot.objects.create(
            account=account, fiscal_quarter="FY27-Q4", arr=Decimal(90000 + 3000 * number)
        )


RESULT_FIELDS = (
    "metric__key", "scope_type", "scope", "numerator", "denominator", "value", "target",
    "attained", "details",
)  # fmt: skip


def _results():
    rows = MetricResult.objects.filter(fiscal_quarter="FY27-Q3").values_list(*RESULT_FIELDS)
    return sorted(rows, key=repr)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chunks_on_two_threads_give_the_results_of_one_pass():
    """Ranges of 3 accounts on 2 threads (each with its own connection), and on one, write
    what one range of all of them writes."""
    _book()
    compute_quarter(Q3)
    whole = _results()
    assert len(whole) > 100  # 27 metrics x several scopes

    for options in ({"chunk_size": 3, "workers": 2}, {"chunk_size": 3, "workers": 1}):
        MetricResult.objects.filter(fiscal_quarter="FY27-Q3").delete()
        run = compute_quarter(Q3, **options)
        assert run.accounts == 8
        assert _results() == whole


@pytest.mark.django_db
def test_partials_sent_as_json_write_the_results_of_one_pass():
    """As another process would: each chunk's partial through JSON, merged, then written."""
    _book()
    compute_quarter(Q3)
    whole = _results()
    MetricResult.objects.filter(fiscal_quarter="FY27-Q3").delete()
    setup = prepare_quarter(Q3, today=TODAY)
    ids = sorted(Account.objects.values_list("id", flat=True))

    chunks = [quarter_chunk(setup, ids[0], ids[3]), quarter_chunk(setup, ids[4], None)]
    total = MetricsPartial()
    for chunk in chunks:
        total.merge(MetricsPartial.from_json(json.loads(json.dumps(chunk.to_json()))))
    run = write_quarter(prepare_quarter(Q3, today=TODAY), total)

    assert (run.accounts, run.results_created) == (8, len(whole))
    assert _results() == whole


@pytest.mark.parametrize("kind", ["rate", "distinct", "median_days"])
def test_summing_a_group_gives_what_merging_each_in_turn_gives_and_leaves_the_group(kind):
    def group():
        return [
            _accumulator(2, Decimal("1.5"), Decimal("2"), [3, 4], {"promoters": Decimal("1")}),
            _accumulator(1, Decimal("0"), Decimal("1")),
            _accumulator(3, Decimal("2.25"), Decimal("3"), [4, 9], {"detractors": Decimal("2")}),
        ]

    merged_in_turn = formulas.Accumulator()
    for accumulator in group():
        merged_in_turn.merge(accumulator, kind)
    given = group()

    summed = formulas.Accumulator.summed(given, kind)
    alone = formulas.Accumulator.summed(given[:1], kind)

    assert _fields(summed) == _fields(merged_in_turn)
    assert _fields(alone) == (
        2,
        Decimal("1.5"),
        Decimal("2"),
        {3, 4} if kind == "distinct" else [3, 4],
        {"promoters": Decimal("1")},
    )
    assert alone.samples is not given[0].samples and alone.extra is not given[0].extra
    assert [_fields(accumulator) for accumulator in given] == [_fields(a) for a in group()]
