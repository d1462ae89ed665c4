"""The logins `seed_demo` prints: the demo's showcase users, one per role and rule set,
read back from the database; or, where the demo did not seed, a few real users."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import check_password
from django.db.models import Count, Q

from people.models import Role, User

from .people import ADMIN_USERNAME, DEMO_PASSWORD

# One per role and rule set, so each model can be tried.
SHOWCASE_USERNAMES = (
    ADMIN_USERNAME,
    "manager.us1",
    "manager.emea",
    "manager.noram",
    "tam.us1.01",
    "tam.emea.01",
    "tam.noram.01",
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    detail: str
    has_demo_password: bool


def demo_logins() -> list[DemoLogin]:
    """The showcase demo users that exist and are active, read back from the database."""
    users = {
        user.username: user
        for user in User.objects.filter(username__in=SHOWCASE_USERNAMES, is_active=True)
        .select_related("team")
        .prefetch_related("managed_teams")
        .annotate(book_size=Count("accounts"))
    }
    demo_hashes = _hashes_of_demo_password([user.password for user in users.values()])
    return [
        DemoLogin(
            role=_role_label(user),
            username=user.username,
            detail=_login_detail(user),
            has_demo_password=user.password in demo_hashes,
        )
        for username in SHOWCASE_USERNAMES
        if (user := users.get(username))
    ]


def existing_logins(per_role: int = 2) -> list[DemoLogin]:
    """A few active users of each role, for a database the demo did not seed."""
    role_filters = (
        Q(role=Role.ADMIN) | Q(is_superuser=True),
        Q(role=Role.MANAGER, is_superuser=False),
        Q(role=Role.TAM, is_superuser=False),
    )
    logins = []
    for role_filter in role_filters:
        users = (
            User.objects.filter(role_filter, is_active=True)
            .select_related("team")
            .prefetch_related("managed_teams")
            .annotate(book_size=Count("accounts"))
            .order_by("username")[:per_role]
        )
        logins += [
            DemoLogin(
                role=_role_label(user),
                username=user.username,
                detail=_login_detail(user),
                has_demo_password=False,
            )
            for user in users
        ]
    return logins


def _hashes_of_demo_password(hashes: list[str]) -> set[str]:
    # check_password costs ~0.5 s; demo users share one hash, so check each distinct once.
    return {encoded for encoded in sorted(set(hashes)) if check_password(DEMO_PASSWORD, encoded)}


def _role_label(user: User) -> str:
    if user.is_superuser or user.role == Role.ADMIN:
        return "admin"
    return "manager" if user.role == Role.MANAGER else "TAM"


def _login_detail(user: User) -> str:
    if user.is_superuser or user.role == Role.ADMIN:
        return "Django admin at /admin/"
    if user.role == Role.MANAGER:
        teams = ", ".join(team.name for team in user.managed_teams.all())
        return f"manager of {teams}" if teams else "no team yet"
    team = f"team {user.team.name}, " if user.team else ""
    return f"{team}{user.book_size} accounts"
