"""Onboarding webinars and customer surveys (DESIGN section 5); pure."""

from __future__ import annotations

from decimal import Decimal

from .facts import Contribution, share


def webinar_attendance_new(account, quarter, target):
    if not quarter.contains(account.customer_since):
        return None
    attended = any(
        item.onboarding and account.customer_since <= item.held_on <= quarter.as_of
        for item in account.attendances
    )
    return share(attended)


def survey_average(kind: str):
    def contribution(account, quarter, target):
        scores = [
            survey
            for survey in account.surveys
            if survey.kind == kind and quarter.contains(survey.answered_on)
        ]
        if not scores:
            return None
        csat = [survey.csat for survey in scores if survey.csat is not None]
        nps = [survey.nps for survey in scores if survey.nps is not None]
        return Contribution(
            numerator=Decimal(sum(csat)),
            denominator=Decimal(len(csat)),
            extra=(
                ("responses", Decimal(len(nps))),
                ("promoters", Decimal(sum(1 for score in nps if score >= 9))),
                ("detractors", Decimal(sum(1 for score in nps if score <= 6))),
            ),
        )

    return contribution


def attendances_in(account, quarter):
    return [item for item in account.attendances if quarter.contains(item.held_on)]


def webinars_held(account, quarter, target):
    # Every account in the segments counts, so a scope that held none shows 0, not no data.
    return Contribution(
        samples=tuple({item.webinar_id for item in attendances_in(account, quarter)})
    )


def webinar_stay_rate(account, quarter, target):
    known = [item for item in attendances_in(account, quarter) if item.stayed is not None]
    if not known:
        return None
    return Contribution(
        numerator=Decimal(sum(item.stayed for item in known)), denominator=Decimal(len(known))
    )


def webinar_feedback(account, quarter, target):
    scored = [item for item in attendances_in(account, quarter) if item.feedback is not None]
    if not scored:
        return None
    return Contribution(
        numerator=Decimal(sum(item.feedback for item in scored)), denominator=Decimal(len(scored))
    )
