"""The days the demo's health history is scored on (issue 13 point 3: the account page
compares with the row in force 7 and 90 days ago and charts the last 365 days)."""

from datetime import date, timedelta

from demo.health_history import history_days

AS_OF = date(2026, 11, 15)


def days_back(days: list[date]) -> list[int]:
    return [(AS_OF - day).days for day in days]


def test_the_last_two_weeks_daily_then_weekly_then_every_four_weeks():
    back = days_back(history_days(AS_OF))
    assert back == sorted(back, reverse=True)  # oldest first, each day once
    assert len(set(back)) == len(back)
    assert set(range(1, 15)) <= set(back)
    assert {21, 28, 84, 91} <= set(back) and 98 not in back
    assert {119, 343, 371} <= set(back) and 105 not in back


def test_a_row_can_be_in_force_on_each_day_the_page_compares_with():
    days = history_days(AS_OF)
    assert AS_OF not in days  # today's row is the run's
    assert AS_OF - timedelta(days=7) in days
    assert any(AS_OF - timedelta(days=97) < day <= AS_OF - timedelta(days=90) for day in days)
    assert days[0] <= AS_OF - timedelta(days=365)  # the year's first day has its point
