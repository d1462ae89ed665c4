"""Every fact kind's columns, key and rules, as DESIGN 10's table gives them: pure, no Django.

The header names are an interface other tools rely on (and the API's JSON field names):
change none of them. Stage names, e-mails and external ids are checked against the
database afterwards (`ingestion.references`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from lib.text_bounds import NOTES_MAX_LENGTH

from . import cells
from .formats import Column, KindFormat, choice, not_before, optional_text, required_text

ACCOUNT_REF = Column("account_external_id", cells.parse_external_id, required=True)
EXTERNAL_ID = Column("external_id", cells.parse_external_id)

TEAMS = KindFormat(
    name="teams",
    key=("name",),
    columns=(
        Column("name", required_text(100)),
        Column("region", required_text(40), required=True),
        Column("manager_email", cells.parse_email),
    ),
)

# A person's name is stored as a first name (up to the first space) and a last name.
NAME_PART_LENGTH = 150


def _name_parts_fit(values: Mapping[str, object]) -> Iterator[tuple[str, str]]:
    first, _, last = str(values.get("name") or "").partition(" ")
    if len(first) > NAME_PART_LENGTH or len(last) > NAME_PART_LENGTH:
        yield (
            "name",
            f"the first name (up to the first space) and the rest hold at most "
            f"{NAME_PART_LENGTH} characters each",
        )


PEOPLE = KindFormat(
    name="people",
    key=("email",),
    columns=(
        Column("email", cells.parse_email),
        Column("name", optional_text(300)),
        Column("role", choice("tam", "manager", "admin", empty="tam")),
        Column("team", optional_text(100)),
        Column("active", lambda text: True if not text.strip() else cells.parse_bool(text)),
    ),
    rules=(_name_parts_fit,),
)

OPPORTUNITIES = KindFormat(
    name="opportunities",
    key=("external_id",),
    columns=(
        EXTERNAL_ID,
        ACCOUNT_REF,
        Column("kind", choice("tier_upgrade", "growth"), required=True),
        Column("close_date", cells.parse_date, required=True),
        Column("status", choice("open", "won", "lost", "closed", empty="open")),
        Column("amount", cells.parse_amount),
    ),
)

INITIATIVES = KindFormat(
    name="initiatives",
    key=("external_id",),
    columns=(
        EXTERNAL_ID,
        ACCOUNT_REF,
        Column(
            "kind",
            choice("stage_adoption", "infrastructure_change", "expansion_play"),
            required=True,
        ),
        Column("stage", optional_text(40)),
        Column("hours_per_week", cells.parse_weekly_hours),
        Column("starts_on", cells.parse_date, required=True),
        Column("ends_on", cells.parse_date),
        Column("status", choice("active", "done", "cancelled", "closed", empty="active")),
    ),
    rules=(not_before("ends_on", "starts_on"),),
)


def _adoption_dates_in_order(values: Mapping[str, object]) -> Iterator[tuple[str, str]]:
    yield from not_before("initial_adoption_on", "enabled_on")(values)
    yield from not_before("broad_adoption_on", "initial_adoption_on")(values)


STAGE_ADOPTIONS = KindFormat(
    name="stage_adoptions",
    key=("account_external_id", "stage"),
    columns=(
        ACCOUNT_REF,
        Column("stage", required_text(40)),
        Column("enabled_on", cells.parse_date, required=True),
        Column("users_share", cells.parse_share),
        Column("initial_adoption_on", cells.parse_date),
        Column("broad_adoption_on", cells.parse_date),
    ),
    rules=(_adoption_dates_in_order,),
)

OBJECTIVES = KindFormat(
    name="objectives",
    key=("external_id",),
    columns=(
        EXTERNAL_ID,
        ACCOUNT_REF,
        Column("title", required_text(200), required=True),
        Column("due_on", cells.parse_date),
        Column("green", cells.parse_bool),
    ),
)

CONTACTS = KindFormat(
    name="contacts",
    key=("external_id",),
    columns=(
        EXTERNAL_ID,
        ACCOUNT_REF,
        Column("name", required_text(200), required=True),
        Column("email", cells.parse_email),
        Column("title", optional_text(200)),
        Column(
            "role",
            choice(
                "champion",
                "economic_buyer",
                "executive_sponsor",
                "technical_lead",
                "user",
                empty="user",
            ),
        ),
        Column("left_on", cells.parse_date),
    ),
)

WEBINARS = KindFormat(
    name="webinars",
    key=("external_id",),
    columns=(
        EXTERNAL_ID,
        Column("title", required_text(200), required=True),
        Column("kind", choice("webinar", "workshop", empty="webinar")),
        Column("held_on", cells.parse_date, required=True),
        Column("onboarding", cells.parse_bool),
        Column("host_email", cells.parse_email),
    ),
)

USAGE = KindFormat(
    name="usage",
    key=("account_external_id", "taken_on"),
    columns=(
        ACCOUNT_REF,
        Column("taken_on", cells.parse_date),
        Column("licensed_users", cells.parse_user_count, required=True),
        Column("active_users", cells.parse_user_count, required=True),
    ),
)

ARR_SNAPSHOTS = KindFormat(
    name="arr_snapshots",
    key=("account_external_id", "fiscal_quarter"),
    columns=(
        ACCOUNT_REF,
        Column("fiscal_quarter", cells.parse_fiscal_quarter),
        Column("arr", cells.parse_amount, required=True),
    ),
)

# --- activities -------------------------------------------------------------------------

# The detail columns each kind of activity may fill; any other detail column must be empty.
ACTIVITY_DETAILS: dict[str, tuple[str, ...]] = {
    "cadence_call": (),
    "ebr": (),
    "onboarding_milestone": ("milestone",),
    "webinar_attendance": ("webinar_external_id", "stayed_whole_session", "feedback_score"),
    "survey_response": ("survey_kind", "nps", "csat"),
    "playbook": ("playbook_kind", "stage", "started_on", "completed_on", "outcome"),
    "license_save": ("saved",),
    "success_plan_change": ("success_plan",),
}
# The detail a kind cannot do without (the database's own checks ask for the same).
ACTIVITY_REQUIRED_DETAILS = {
    "onboarding_milestone": ("milestone",),
    "webinar_attendance": ("webinar_external_id",),
    "survey_response": ("survey_kind",),
    "playbook": ("playbook_kind",),
}
DETAIL_COLUMNS = tuple(
    dict.fromkeys(name for details in ACTIVITY_DETAILS.values() for name in details)
)


def _activity_details(values: Mapping[str, object]) -> Iterator[tuple[str, str]]:
    kind = values.get("kind")
    allowed = ACTIVITY_DETAILS.get(kind, ())
    for name in DETAIL_COLUMNS:
        if name not in allowed and values.get(name) not in (None, ""):
            yield name, f"must be empty for a {kind} activity"
    for name in ACTIVITY_REQUIRED_DETAILS.get(kind, ()):
        if values.get(name) in (None, ""):
            yield name, f"required for a {kind} activity"
    if kind == "survey_response" and values.get("nps") is None and values.get("csat") is None:
        yield "nps", "a survey response gives the NPS, the CSAT or both"
    yield from not_before("completed_on", "started_on")(values)


ACTIVITIES = KindFormat(
    name="activities",
    key=("external_id",),
    columns=(
        EXTERNAL_ID,
        ACCOUNT_REF,
        Column(
            "kind",
            choice(*ACTIVITY_DETAILS),
            required=True,
        ),
        Column("occurred_on", cells.parse_date, required=True),
        Column("logged_by_email", cells.parse_email),
        # The bound the account page's forms and the model hold (`lib.text_bounds`).
        Column("notes", optional_text(NOTES_MAX_LENGTH)),
        Column("milestone", choice("first_engaged", "first_value", "onboarded")),
        Column("webinar_external_id", optional_text(64)),
        Column("stayed_whole_session", cells.parse_optional_bool),
        Column("feedback_score", cells.parse_score(1, 5)),
        Column("survey_kind", choice("onboarding", "six_month", "renewal")),
        Column("nps", cells.parse_score(0, 10)),
        Column("csat", cells.parse_score(1, 5)),
        Column("playbook_kind", choice("stage_adoption", "expansion")),
        Column("stage", optional_text(40)),
        Column("started_on", cells.parse_date),
        Column("completed_on", cells.parse_date),
        Column("outcome", choice("open", "won", "lost")),
        Column("saved", cells.parse_optional_bool),
        Column("success_plan", choice("none", "unclear", "objectives", "green")),
    ),
    rules=(_activity_details,),
)

FORMATS = {
    fmt.name: fmt
    for fmt in (
        TEAMS,
        PEOPLE,
        OPPORTUNITIES,
        INITIATIVES,
        STAGE_ADOPTIONS,
        OBJECTIVES,
        CONTACTS,
        WEBINARS,
        ACTIVITIES,
        USAGE,
        ARR_SNAPSHOTS,
    )
}
