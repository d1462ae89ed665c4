"""Where each kind of DESIGN 10 is stored: its model, its key, and each column's field.

The formats (`kind_formats`) say what a record looks like; this says where it goes. A
column's `ref` names what the cell points at (an account by external id, a person by
e-mail, a stage by name, ...), resolved to an id in bulk before anything is written.
`ORDER` is the dependency order a folder is imported in: everything a kind points at
comes before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from accounts.models import (
    Activity,
    ArrSnapshot,
    Contact,
    Initiative,
    Opportunity,
    StageAdoption,
    SuccessPlanObjective,
    UsageSnapshot,
    Webinar,
)
from people.models import Team, User

from .formats import KindFormat
from .kind_formats import DETAIL_COLUMNS, FORMATS

ORDER = (
    "teams",
    "people",
    "accounts",
    "webinars",
    "opportunities",
    "initiatives",
    "stage_adoptions",
    "objectives",
    "contacts",
    "activities",
    "usage",
    "arr_snapshots",
)

# What a person reads for each kind (the import page, its history and detail); the
# names above stay the file names and the stored values. "folder": several at once.
KIND_LABELS = {
    "teams": "Teams",
    "people": "People",
    "accounts": "Accounts",
    "webinars": "Webinars",
    "opportunities": "Opportunities",
    "initiatives": "Initiatives",
    "stage_adoptions": "Stage adoptions",
    "objectives": "Success plan objectives",
    "contacts": "Contacts",
    "activities": "Activities",
    "usage": "Usage snapshots",
    "arr_snapshots": "ARR snapshots",
    "folder": "Several kinds",
}


def kind_label(name: str) -> str:
    """The kind as people read it; an unknown name as it is (an old record's)."""
    return KIND_LABELS.get(name, name)


@dataclass(frozen=True)
class Target:
    field: str  # the model field the column sets
    ref: str | None = None  # account / webinar / person / stage / team / region
    export: str | None = None  # the `values()` path the export reads; default `field`

    @property
    def export_path(self) -> str:
        return self.export or self.field


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[models.Model]
    targets: dict[str, Target]
    # Model fields that identify a record, in the order of the format's key columns.
    key_fields: tuple[str, ...] = ("external_id",)
    # Columns a record always writes, present in the file or not (activities' details).
    always: tuple[str, ...] = ()

    @property
    def fmt(self) -> KindFormat:
        return FORMATS[self.name]

    @property
    def keyed_by_external_id(self) -> bool:
        return self.key_fields == ("external_id",)

    @property
    def account_field(self) -> str | None:
        target = self.targets.get("account_external_id")
        return target.field if target else None


_ACCOUNT = Target("account", ref="account", export="account__external_id")
_EXTERNAL_ID = Target("external_id")


def _plain(*names: str) -> dict[str, Target]:
    return {name: Target(name) for name in names}


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "teams",
            Team,
            {
                "name": Target("name"),
                "region": Target("region", ref="region", export="region__code"),
                "manager_email": Target("manager", ref="person", export="manager__email"),
            },
            key_fields=("name",),
        ),
        Kind(
            "people",
            User,
            {
                "email": Target("email"),
                "name": Target("first_name"),  # split into first and last name on writing
                "role": Target("role"),
                "team": Target("team", ref="team", export="team__name"),
                "active": Target("is_active"),
            },
            key_fields=("email",),
        ),
        Kind(
            "opportunities",
            Opportunity,
            {
                "external_id": _EXTERNAL_ID,
                "account_external_id": _ACCOUNT,
                **_plain("kind", "close_date", "status", "amount"),
            },
        ),
        Kind(
            "initiatives",
            Initiative,
            {
                "external_id": _EXTERNAL_ID,
                "account_external_id": _ACCOUNT,
                "kind": Target("kind"),
                "stage": Target("stage", ref="stage", export="stage__name"),
                "hours_per_week": Target("tam_hours_per_week"),
                **_plain("starts_on", "ends_on", "status"),
            },
        ),
        Kind(
            "stage_adoptions",
            StageAdoption,
            {
                "account_external_id": _ACCOUNT,
                "stage": Target("stage", ref="stage", export="stage__name"),
                **_plain("enabled_on", "users_share", "initial_adoption_on", "broad_adoption_on"),
            },
            key_fields=("account", "stage"),
        ),
        Kind(
            "objectives",
            SuccessPlanObjective,
            {
                "external_id": _EXTERNAL_ID,
                "account_external_id": _ACCOUNT,
                **_plain("title", "due_on", "green"),
            },
        ),
        Kind(
            "contacts",
            Contact,
            {
                "external_id": _EXTERNAL_ID,
                "account_external_id": _ACCOUNT,
                **_plain("name", "email", "title", "role", "left_on"),
            },
        ),
        Kind(
            "webinars",
            Webinar,
            {
                "external_id": _EXTERNAL_ID,
                **_plain("title", "kind", "held_on", "onboarding"),
                "host_email": Target("host", ref="person", export="host__email"),
            },
        ),
        Kind(
            "activities",
            Activity,
            {
                "external_id": _EXTERNAL_ID,
                "account_external_id": _ACCOUNT,
                "kind": Target("kind"),
                "occurred_on": Target("occurred_on"),
                "logged_by_email": Target("logged_by", ref="person", export="logged_by__email"),
                "notes": Target("notes"),
                **_plain(*(name for name in DETAIL_COLUMNS if name not in ("stage",))),
                "webinar_external_id": Target(
                    "webinar", ref="webinar", export="webinar__external_id"
                ),
                "stage": Target("stage", ref="stage", export="stage__name"),
            },
            # A detail left out of the file is empty: a detail that belongs to another
            # kind of activity must never survive a change of kind.
            always=DETAIL_COLUMNS,
        ),
        Kind(
            "usage",
            UsageSnapshot,
            {
                "account_external_id": _ACCOUNT,
                **_plain("taken_on", "licensed_users", "active_users"),
            },
            key_fields=("account", "taken_on"),
        ),
        Kind(
            "arr_snapshots",
            ArrSnapshot,
            {"account_external_id": _ACCOUNT, **_plain("fiscal_quarter", "arr")},
            key_fields=("account", "fiscal_quarter"),
        ),
    )
}
assert set(KINDS) == set(FORMATS)
for _kind in KINDS.values():
    assert set(_kind.targets) == set(_kind.fmt.column_names), _kind.name
