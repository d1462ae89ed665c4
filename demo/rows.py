"""What the generator builds: the accounts (`DemoAccount`, its columns in an `AccountRow`)
and the rows about them (`DemoRows`), all plain data until `writing` writes them.

The rows about an account hold the `DemoAccount` under the key `account` (a webinar
attendance holds the `Webinar` under `webinar`): their ids exist only once written
(`writing`). Model instances would cost time by the ten thousand; plain dicts do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from accounts.models import Region, SuccessPlanState, Webinar

from .tables import ArrBand


@dataclass
class AccountRow:
    """The account's columns by attname, as written (`vars(row)`); those left out take
    the model's defaults. A child points at its parent once both are written."""

    external_id: str
    region_id: int
    tam_id: int | None
    arr: Decimal
    name: str = ""
    managed: bool = True
    lam: Decimal | None = None
    lam_confidence: str = ""
    customer_since: date | None = None
    first_engaged_on: date | None = None
    first_value_on: date | None = None
    onboarded_on: date | None = None
    renewal_date: date | None = None
    licensed_users: int | None = None
    active_users: int | None = None
    tam_sentiment: str = ""
    tam_sentiment_on: date | None = None
    at_risk: bool = False
    in_triage: bool = False
    last_nps: int | None = None
    success_plan: str = SuccessPlanState.NONE
    success_plan_green_on: date | None = None
    success_plan_management_qualified: bool = False
    success_plan_management_qualified_on: date | None = None
    critical_project: bool = False
    key_logo: bool = False
    channel_engaged: bool = False
    org_change: bool = False
    weekly_engagement: bool = False
    tam_handover: bool = False
    digital: bool = False
    segment_override_id: int | None = None  # the benchmark pins a few
    segment_override_reason: str = ""


@dataclass(eq=False)  # compared and hashed by identity: a key for per-account choices
class DemoAccount:
    """An account being built, with what the history builders need to know about it."""

    account: AccountRow
    band: ArrBand
    region: Region
    active_until: date  # the churn date of a churned customer, else as_of
    parent: DemoAccount | None = None
    churned_on: date | None = None
    arr_before_churn: Decimal | None = None
    fast_track: bool = False  # engaged within days, onboarded in 14-20, first webinar
    value_on: date | None = None  # first value (10% of users), even if not entered or future


@dataclass(frozen=True)
class BookOwner:
    """A TAM who owns a book of accounts, and the region the book is in."""

    tam_id: int
    region: Region


@dataclass
class DemoRows:
    """Rows to write about the accounts, as dicts of field attnames (see above)."""

    opportunities: list[dict] = field(default_factory=list)
    initiatives: list[dict] = field(default_factory=list)
    stage_adoptions: list[dict] = field(default_factory=list)
    objectives: list[dict] = field(default_factory=list)
    snapshots: list[dict] = field(default_factory=list)
    usage: list[dict] = field(default_factory=list)
    webinars: list[Webinar] = field(default_factory=list)  # written first: rows need their ids
    activities: list[dict] = field(default_factory=list)
