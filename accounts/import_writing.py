"""Writing validated account rows, a chunk at a time (see `accounts.importing`).

Set-based: new accounts by `bulk_create`, changed ones by one array `UPDATE` per chunk
(`core.bulk`), untouched ones not at all. The related columns write related rows:
`stages_adopted` sets the account's adopted stages (enabled today when new; stages left
out are removed); `uptier_close_date` / `growth_close_date` set the close date of the
open opportunity of that kind (an empty cell closes it with outcome not recorded);
`stage_adoption_hours` / `infra_change_hours` / `expansion_play` set the active
initiative of that kind, starting on the first day of the import date's fiscal quarter
and open-ended (empty, zero or false closes it today).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from core.bulk import insert_rows, update_rows
from lib.fiscal import fiscal_quarter_of
from people.models import Role, User

from .csv_format import COLUMNS, ParsedRow
from .models import (
    Account,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Region,
    Stage,
    StageAdoption,
)

LOOKUP_CHUNK = 5000
PROGRESS_EVERY = 10_000

OPPORTUNITY_COLUMNS = {
    "uptier_close_date": OpportunityKind.TIER_UPGRADE,
    "growth_close_date": OpportunityKind.GROWTH,
}
INITIATIVE_COLUMNS = {
    "stage_adoption_hours": InitiativeKind.STAGE_ADOPTION,
    "infra_change_hours": InitiativeKind.INFRASTRUCTURE_CHANGE,
    "expansion_play": InitiativeKind.EXPANSION_PLAY,
}

Progress = Callable[[str], None]


# How many changed fields an import keeps for a preview (the page shows the first 20).
FIELD_CHANGES_KEPT = 50


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    users_created: list[str] = field(default_factory=list)
    related: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    # The accounts created or changed, for whoever announces changed rule inputs.
    account_ids: set[int] = field(default_factory=set)
    # The first fields the import changes on existing accounts, for a preview:
    # (external_id, column, old, new); references (region, TAM) as their ids.
    field_changes: list[tuple[str, str, object, object]] = field(default_factory=list)

    def count(self, what: str, number: int = 1) -> None:
        if number:
            self.related[what] = self.related.get(what, 0) + number


def chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class AccountWriter:
    """Writes validated rows chunk by chunk, all inside the caller's transaction; a
    parent that comes further down the file than its child is linked at the end."""

    def __init__(self, columns: list[str], *, today: date, progress: Progress | None):
        self.columns = set(columns)
        self.today = today
        self.progress = progress or (lambda message: None)
        self.summary = ImportSummary()
        self.account_fields = [
            COLUMNS[name].account_field for name in columns if COLUMNS[name].account_field
        ]
        self.account_fields.append("region")
        if "management_qualified_on" in self.columns:
            self.account_fields.append("success_plan_management_qualified")
        if "tam_email" in self.columns:
            self.account_fields.append("tam")
        self.column_of = {
            COLUMNS[name].account_field: name for name in columns if COLUMNS[name].account_field
        } | {"tam": "tam_email"}
        self.regions = dict(Region.objects.values_list("code", "id"))
        self.stage_ids = dict(Stage.objects.values_list("name", "id"))
        self.quarter_start = fiscal_quarter_of(today, settings.FISCAL_YEAR_START_MONTH).start
        self.changed_ids: set[int] = set()
        # (account id, parent external id) for parents not written yet when their row was.
        self.later_parents: list[tuple[int, str]] = []
        # Per chunk:
        self.rows: list[ParsedRow] = []
        self.id_of: dict[str, int] = {}
        self.changed: set[str] = set()

    def write(self, rows: list[ParsedRow]) -> None:
        self.rows, self.id_of, self.changed = rows, {}, set()
        tam_ids = self._tam_ids()
        desired = {row.external_id: self._desired(row, self.regions, tam_ids) for row in rows}
        self._upsert_accounts(desired)
        self._write_parents()
        self._write_stages()
        self._write_opportunities()
        self._write_initiatives()
        self.summary.rows += len(rows)
        self.changed_ids.update(self.id_of[external_id] for external_id in self.changed)
        if self.summary.rows >= PROGRESS_EVERY:
            self.progress(f"written {self.summary.rows:,} rows")

    def finish(self) -> ImportSummary:
        self._write_later_parents()
        summary = self.summary
        summary.updated = len(self.changed_ids) - summary.created
        summary.unchanged = summary.rows - len(self.changed_ids)
        summary.account_ids = self.changed_ids
        return summary

    # --- accounts ---------------------------------------------------------------------

    def _desired(self, row, regions, tam_ids) -> dict[str, object]:
        values = {
            COLUMNS[name].account_field: value
            for name, value in row.values.items()
            if COLUMNS[name].account_field
        }
        values["region"] = regions[row.values["region"]]
        if "management_qualified_on" in self.columns:
            qualified_on = row.values["management_qualified_on"]
            values["success_plan_management_qualified"] = qualified_on is not None
        if "tam_email" in self.columns:
            email = row.values["tam_email"]
            values["tam"] = tam_ids[email] if email else None
        return values

    def _attname(self, name: str) -> str:
        return Account._meta.get_field(name).attname

    def _upsert_accounts(self, desired: dict[str, dict[str, object]]) -> None:
        attnames = [self._attname(name) for name in self.account_fields]
        existing = {}
        for chunk in chunks(list(desired)):
            for values in Account.objects.filter(external_id__any=chunk).values(
                "id", "external_id", *attnames
            ):
                existing[values["external_id"]] = values
        now = timezone.now()
        updates = []
        for external_id, wanted in desired.items():
            current = existing.get(external_id)
            if current is None:
                continue
            self.id_of[external_id] = current["id"]
            new_values = [wanted[name] for name in self.account_fields]
            differing = [
                (name, current[attname], value)
                for name, attname, value in zip(
                    self.account_fields, attnames, new_values, strict=True
                )
                if current[attname] != value
            ]
            if differing:
                updates.append((current["id"], *new_values, now))
                self.changed.add(external_id)
                self._keep_changes(external_id, differing)
        update_rows(Account, [*self.account_fields, "updated_at"], updates)
        self._create_accounts({key: value for key, value in desired.items() if key not in existing})

    def _keep_changes(self, external_id: str, differing: list[tuple]) -> None:
        kept = self.summary.field_changes
        for name, old, new in differing[: FIELD_CHANGES_KEPT - len(kept)]:
            kept.append((external_id, self.column_of.get(name, name), old, new))

    def _create_accounts(self, new_accounts: dict[str, dict[str, object]]) -> None:
        rows = [
            {"external_id": external_id}
            | {self._attname(name): value for name, value in values.items()}
            for external_id, values in new_accounts.items()
        ]
        created = insert_rows(Account, rows, returning=("external_id", "id"))
        self.id_of.update(created)
        self.changed.update(new_accounts)
        self.summary.created += len(created)

    def _write_parents(self) -> None:
        if "parent_external_id" not in self.columns:
            return
        wanted = {row.external_id: row.values["parent_external_id"] or None for row in self.rows}
        outside = {parent for parent in wanted.values() if parent and parent not in self.id_of}
        parent_ids = dict(self.id_of)
        for chunk in chunks(sorted(outside)):
            parent_ids.update(
                Account.objects.filter(external_id__any=chunk).values_list("external_id", "id")
            )
        current = self._current_values("parent_id")
        updates = []
        for external_id, parent in wanted.items():
            if parent and parent not in parent_ids:  # a row further down the file
                self.later_parents.append((self.id_of[external_id], parent))
                continue
            parent_id = parent_ids[parent] if parent else None
            if current.get(external_id) != parent_id:
                updates.append((self.id_of[external_id], parent_id))
                self.changed.add(external_id)
        update_rows(Account, ["parent"], updates)

    def _write_later_parents(self) -> None:
        """Link the parents that came further down the file than their children."""
        if not self.later_parents:
            return
        parent_ids, current = {}, {}
        for chunk in chunks(sorted({parent for _, parent in self.later_parents})):
            parent_ids.update(
                Account.objects.filter(external_id__any=chunk).values_list("external_id", "id")
            )
        for chunk in chunks(sorted({child for child, _ in self.later_parents})):
            current.update(Account.objects.filter(pk__any=chunk).values_list("pk", "parent_id"))
        updates = [
            (child, parent_ids[parent])
            for child, parent in self.later_parents
            if current[child] != parent_ids[parent]
        ]
        update_rows(Account, ["parent"], updates)
        self.changed_ids.update(child for child, _ in updates)

    def _current_values(self, attname: str) -> dict[str, object]:
        external_id_of = {pk: external_id for external_id, pk in self.id_of.items()}
        values = {}
        for chunk in chunks(list(external_id_of)):
            for pk, value in Account.objects.filter(pk__any=chunk).values_list("pk", attname):
                values[external_id_of[pk]] = value
        return values

    # --- people -----------------------------------------------------------------------

    def _tam_ids(self) -> dict[str, int]:
        if "tam_email" not in self.columns:
            return {}
        emails = sorted({row.values["tam_email"] for row in self.rows if row.values["tam_email"]})
        ids = {}
        for chunk in chunks(emails):
            ids.update(
                User.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__any=chunk)
                .values_list("email_lower", "id")
            )
        missing = [email for email in emails if email not in ids]
        for user in self._create_inactive_tams(missing):
            ids[user.email] = user.pk
        return ids

    def _create_inactive_tams(self, emails: list[str]) -> list[User]:
        """Unknown TAM e-mails become inactive TAM users an admin activates later."""
        if not emails:
            return []
        taken = set(
            User.objects.filter(username__any=[email[:150] for email in emails]).values_list(
                "username", flat=True
            )
        )
        users = []
        for email in emails:
            username = email[:150]
            if username in taken:
                username = f"{email[:140]}-{len(taken)}"
            user = User(username=username, email=email, role=Role.TAM, is_active=False)
            user.set_unusable_password()
            users.append(user)
        created = User.objects.bulk_create(users)
        self.summary.users_created += [user.email for user in created]
        return created

    # --- related rows -----------------------------------------------------------------

    def _account_ids(self) -> list[int]:
        return [self.id_of[row.external_id] for row in self.rows]

    def _write_stages(self) -> None:
        if "stages_adopted" not in self.columns:
            return
        stage_ids = self.stage_ids
        current: dict[int, dict[int, int]] = {}
        for chunk in chunks(self._account_ids()):
            for pk, account_id, stage_id in StageAdoption.objects.filter(
                account_id__any=chunk
            ).values_list("pk", "account_id", "stage_id"):
                current.setdefault(account_id, {})[stage_id] = pk
        to_create, to_delete = [], []
        for row in self.rows:
            account_id = self.id_of[row.external_id]
            wanted = {stage_ids[name] for name in row.stage_names}
            have = current.get(account_id, {})
            to_create += [
                {"account_id": account_id, "stage_id": stage_id, "enabled_on": self.today}
                for stage_id in wanted - have.keys()
            ]
            to_delete += [pk for stage_id, pk in have.items() if stage_id not in wanted]
            if wanted != have.keys():
                self.changed.add(row.external_id)
        insert_rows(StageAdoption, to_create)
        for chunk in chunks(to_delete):
            StageAdoption.objects.filter(pk__any=chunk).delete()
        self.summary.count("stage adoptions added", len(to_create))
        self.summary.count("stage adoptions removed", len(to_delete))

    def _write_opportunities(self) -> None:
        for column, kind in OPPORTUNITY_COLUMNS.items():
            if column in self.columns:
                self._write_open_opportunities(column, kind)

    def _write_open_opportunities(self, column: str, kind: str) -> None:
        open_by_account = {}
        for chunk in chunks(self._account_ids()):
            open_by_account.update(
                (account_id, (pk, close_date))
                for pk, account_id, close_date in Opportunity.objects.filter(
                    account_id__any=chunk, kind=kind, status=OpportunityStatus.OPEN
                ).values_list("pk", "account_id", "close_date")
            )
        to_create, to_move, to_close = [], [], []
        for row in self.rows:
            account_id = self.id_of[row.external_id]
            wanted: date | None = row.values[column]
            pk, close_date = open_by_account.get(account_id, (None, None))
            if wanted == close_date:
                continue
            self.changed.add(row.external_id)
            if wanted is None:
                to_close.append((pk, OpportunityStatus.CLOSED))
            elif pk is None:
                to_create.append({"account_id": account_id, "kind": kind, "close_date": wanted})
            else:
                to_move.append((pk, wanted))
        insert_rows(Opportunity, to_create)
        update_rows(Opportunity, ["close_date"], to_move)
        update_rows(Opportunity, ["status"], to_close)
        label = OpportunityKind(kind).label.lower()
        self.summary.count(f"{label} opportunities opened", len(to_create))
        self.summary.count(f"{label} opportunities moved", len(to_move))
        self.summary.count(f"{label} opportunities closed", len(to_close))

    def _write_initiatives(self) -> None:
        quarter_start = self.quarter_start
        for column, kind in INITIATIVE_COLUMNS.items():
            if column in self.columns:
                self._write_active_initiatives(column, kind, quarter_start)

    def _write_active_initiatives(self, column: str, kind: str, quarter_start: date) -> None:
        active = {}
        for chunk in chunks(self._account_ids()):
            active.update(
                (account_id, (pk, hours, starts_on))
                for pk, account_id, hours, starts_on in Initiative.objects.filter(
                    account_id__any=chunk, kind=kind, status=InitiativeStatus.ACTIVE
                )
                # With several active initiatives of a kind, the busiest one (last) counts,
                # as in the export.
                .order_by(F("tam_hours_per_week").asc(nulls_first=True), "pk")
                .values_list("pk", "account_id", "tam_hours_per_week", "starts_on")
            )
        to_create, to_set_hours, to_close = [], [], []
        for row in self.rows:
            account_id = self.id_of[row.external_id]
            hours = _initiative_hours(row.values[column])
            pk, current_hours, starts_on = active.get(account_id, (None, None, None))
            if hours is _CLOSED:
                if pk is not None:
                    to_close.append((pk, InitiativeStatus.CLOSED, max(self.today, starts_on)))
                    self.changed.add(row.external_id)
            elif pk is None:
                to_create.append(
                    {
                        "account_id": account_id,
                        "kind": kind,
                        "tam_hours_per_week": hours,
                        "starts_on": quarter_start,
                    }
                )
                self.changed.add(row.external_id)
            elif column != "expansion_play" and current_hours != hours:
                to_set_hours.append((pk, hours))
                self.changed.add(row.external_id)
        insert_rows(Initiative, to_create)
        update_rows(Initiative, ["tam_hours_per_week"], to_set_hours)
        update_rows(Initiative, ["status", "ends_on"], to_close)
        label = InitiativeKind(kind).label.lower()
        self.summary.count(f"{label} initiatives started", len(to_create))
        self.summary.count(f"{label} initiatives changed", len(to_set_hours))
        self.summary.count(f"{label} initiatives closed", len(to_close))


_CLOSED = object()


def _initiative_hours(value: object) -> object:
    """Hours a week for an hours column, None for a `true` expansion play, or _CLOSED."""
    if value is True:
        return None
    if value is False or value is None or value == Decimal(0):
        return _CLOSED
    return value
