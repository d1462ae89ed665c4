"""The priority mix's targets and tallies: pure, no database."""

from decimal import Decimal

import pytest

from dashboard.mix import Pr1Target, tally

US = Pr1Target.for_rule_set("us_enterprise", share=Decimal("0.333"), band_min=5, band_max=8)
EMEA = Pr1Target.for_rule_set("emea_enterprise", share=Decimal("0.333"), band_min=5, band_max=8)
COMMERCIAL = Pr1Target.for_rule_set("commercial", share=Decimal("0.333"), band_min=5, band_max=8)


@pytest.mark.parametrize(
    ("pr1", "pr2", "expected"),
    [
        (1, 2, True),  # a third
        (4, 6, True),  # 40%: within 10 points
        (5, 5, False),  # 50%
        (1, 9, False),  # 10%
        (0, 0, None),  # no Pr1/Pr2 book: nothing to judge
    ],
)
def test_us_enterprise_aims_at_about_a_third_of_the_book(pr1, pr2, expected):
    assert US.on_target(pr1, pr2) is expected


@pytest.mark.parametrize(("pr1", "expected"), [(4, False), (5, True), (8, True), (9, False)])
def test_emea_aims_at_five_to_eight_pr1_per_tam(pr1, expected):
    assert EMEA.on_target(pr1, 40) is expected


def test_commercial_has_no_pr1_target():
    assert COMMERCIAL.on_target(30, 1) is None
    assert COMMERCIAL.description == "no Pr1 target for this rule set"


def test_tally_counts_each_tams_mix_and_the_movements():
    rows = [
        {"tam_id": 1, "last_priority": 2, "this_priority": 1, "accounts": 2},
        {"tam_id": 1, "last_priority": None, "this_priority": 2, "accounts": 1},
        {"tam_id": 2, "last_priority": 2, "this_priority": 1, "accounts": 1},
        {"tam_id": 9, "last_priority": 3, "this_priority": 3, "accounts": 4},  # left the team
    ]

    mixes, movements = tally(rows, [(1, "Ann"), (2, "Bob")], US)

    assert [(mix.name, mix.ordered_counts) for mix in mixes] == [
        ("Ann", [2, 1, 0, 0, 0]),
        ("Bob", [1, 0, 0, 0, 0]),
    ]
    assert [mix.on_target for mix in mixes] == [False, False]  # 67% and 100%
    assert movements.count(2, 1) == 3
    assert movements.count(None, 2) == 1
    assert movements.count(3, 3) == 4
    assert movements.moved == 4
    assert movements.column_totals == [3, 1, 4, 0, 0]
