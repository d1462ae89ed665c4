"""Resolve what records point at (accounts, webinars, people, stages, teams, regions) in bulk.

One query per chunk of distinct values, whatever the number of records. A value that
matches nothing is a problem on every record that names it: a file never creates what it
points at (DESIGN 10). `milestone_problems` applies the account page's rule that needs
the account: an onboarding milestone cannot come before the customer's start.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.functions import Lower

from accounts.models import Account, Region, Stage, Webinar
from core.bulk import CHUNK_SIZE
from people.models import Team, User

from .formats import Problem
from .kinds import Kind

_WHAT = {
    "account": "account",
    "webinar": "webinar",
    "person": "person with e-mail",
    "stage": "stage",
    "team": "team",
    "region": "region",
}


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK_SIZE):
        yield values[start : start + CHUNK_SIZE]


def _lookup(ref: str, values: set[str]) -> dict[str, int]:
    """Ids of the `values` that exist; stages and e-mails match case-insensitively."""
    found: dict[str, int] = {}
    if ref == "stage":
        by_name = {name.lower(): pk for pk, name in Stage.objects.values_list("pk", "name")}
        return {value: by_name[value.lower()] for value in values if value.lower() in by_name}
    if ref == "region":
        codes = dict(Region.objects.values_list("code", "pk"))
        return {value: codes[value] for value in values if value in codes}
    for chunk in _chunks(sorted(values)):
        if ref == "account":
            rows = Account.objects.filter(external_id__any=chunk).values_list("external_id", "pk")
        elif ref == "webinar":
            rows = Webinar.objects.filter(external_id__any=chunk).values_list("external_id", "pk")
        elif ref == "team":
            rows = Team.objects.filter(name__any=chunk).values_list("name", "pk")
        else:
            rows = (
                User.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__any=[value.lower() for value in chunk])
                .values_list("email_lower", "pk")
            )
        found.update(rows)
    return found


def resolve(
    kind: Kind, columns: list[str], records: list[tuple[int, dict[str, object]]]
) -> tuple[dict[str, dict[str, int]], list[Problem]]:
    """The id of every value each reference column names, and a problem per missing one."""
    ids: dict[str, dict[str, int]] = {}
    problems = []
    for column in columns:
        ref = kind.targets[column].ref
        if ref is None:
            continue
        wanted = {values[column] for _, values in records if values.get(column)}
        ids[column] = _lookup(ref, wanted) if wanted else {}
        if ref == "person":  # e-mails are read lower-cased; the lookup keys are too
            ids[column] = {key.lower(): pk for key, pk in ids[column].items()}
        for position, values in records:
            value = values.get(column)
            key = value.lower() if ref == "person" and value else value
            if value and key not in ids[column]:
                problems.append(Problem(position, column, f"no {_WHAT[ref]} {value!r}"))
    return ids, problems


def milestone_problems(
    records: list[tuple[int, dict[str, object]]], account_ids: dict[str, int]
) -> list[Problem]:
    """A problem for each onboarding milestone dated before its account's customer_since."""
    milestones = [
        (position, values, account_ids[values["account_external_id"]])
        for position, values in records
        if values.get("kind") == "onboarding_milestone"
        and values.get("account_external_id") in account_ids
    ]
    starts: dict[int, object] = {}
    for chunk in _chunks(sorted({account_id for _, _, account_id in milestones})):
        starts.update(
            Account.objects.filter(pk__any=chunk, customer_since__isnull=False).values_list(
                "pk", "customer_since"
            )
        )
    return [
        Problem(
            position,
            "occurred_on",
            f"is before the customer's start ({starts[account_id].isoformat()}): "
            "a milestone cannot come before it",
        )
        for position, values, account_id in milestones
        if account_id in starts and values["occurred_on"] < starts[account_id]
    ]
