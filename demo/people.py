"""The demo's people: an admin, a manager per team and the teams' TAMs, all with one
password; and the check that none of them (nor any account) exists yet."""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.models import Account, Region
from people.models import Role, Team, User

from .tables import TEAM_PLANS, TeamPlan
from .words import FIRST_NAMES, LAST_NAMES

DEMO_PASSWORD = "tam-portal-demo"
ADMIN_USERNAME = "admin"


class DemoDataConflict(Exception):
    """The database already holds data the demo would collide with."""


def demo_usernames() -> list[str]:
    usernames = [ADMIN_USERNAME]
    for plan in TEAM_PLANS:
        usernames.append(f"manager.{plan.slug}")
        usernames += [_tam_username(plan, number) for number in range(1, plan.tams + 1)]
    return usernames


def _tam_username(plan: TeamPlan, number: int) -> str:
    return f"tam.{plan.slug}.{number:02d}"


def refuse_conflicts() -> None:
    if Account.objects.exists():
        raise DemoDataConflict("the database already has accounts")
    usernames = demo_usernames()
    emails = [f"{username}@example.com" for username in usernames]
    taken_users = User.objects.annotate(email_lower=Lower("email")).filter(
        Q(username__in=usernames) | Q(email_lower__in=emails)
    )
    taken = sorted(taken_users.values_list("username", flat=True))
    taken += sorted(
        Team.objects.filter(name__in=[p.name for p in TEAM_PLANS]).values_list("name", flat=True)
    )
    if taken:
        raise DemoDataConflict(
            f"demo users or teams already exist ({', '.join(taken[:5])}); "
            "seed the demo into a fresh database"
        )


def create_people(regions: dict[str, Region], rng: random.Random) -> list[User]:
    """Admin, one manager per team and the TAMs; returns the TAMs (team and region cached)."""
    # Hashing costs ~0.5 s, so every demo user gets the same hash, computed once.
    password_hash = make_password(DEMO_PASSWORD)
    names = iter(_person_names(len(demo_usernames()), rng))
    admin = _demo_user(ADMIN_USERNAME, Role.ADMIN, next(names), password_hash)
    admin.is_staff = admin.is_superuser = True
    managers = [
        _demo_user(f"manager.{plan.slug}", Role.MANAGER, next(names), password_hash)
        for plan in TEAM_PLANS
    ]
    User.objects.bulk_create([admin, *managers])
    teams = [
        Team(name=plan.name, region=regions[plan.region_code], manager=manager)
        for plan, manager in zip(TEAM_PLANS, managers, strict=True)
    ]
    Team.objects.bulk_create(teams)
    tams = [
        _demo_user(_tam_username(plan, number), Role.TAM, next(names), password_hash, team)
        for plan, team in zip(TEAM_PLANS, teams, strict=True)
        for number in range(1, plan.tams + 1)
    ]
    User.objects.bulk_create(tams, batch_size=500)
    return tams


def _person_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` distinct (first, last) names."""
    combinations = len(FIRST_NAMES) * len(LAST_NAMES)
    return [
        (FIRST_NAMES[index // len(LAST_NAMES)], LAST_NAMES[index % len(LAST_NAMES)])
        for index in rng.sample(range(combinations), count)
    ]


def _demo_user(
    username: str, role: str, name: tuple[str, str], password_hash: str, team: Team | None = None
) -> User:
    first_name, last_name = name
    return User(
        username=username,
        email=f"{username}@example.com",
        first_name=first_name,
        last_name=last_name,
        role=role,
        team=team,
        password=password_hash,
    )
