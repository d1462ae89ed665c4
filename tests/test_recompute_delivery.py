"""A recompute is never lost, and a dead broker is a delay, not an error (issue 11, points 2
and 3), on both databases, without a worker: the outbox, the coalescing of recomputes asked
for during a run, the sweep, and every write with the broker down. The same through real
workers killed mid-run is in `test_celery_worker.py`."""

from __future__ import annotations

import csv
import datetime
import io
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from accounts.models import Account, UsageSnapshot
from demo import build_demo_portfolio
from ingestion.models import ImportRecord
from metrics.models import MetricResult
from orchestration import outbox, requests, runs, tasks
from orchestration.lock import take_lock
from orchestration.models import RecomputeRequest, RecomputeRun, RunStatus
from orchestration.runs import recompute
from orchestration.tasks import recompute_portfolio
from prioritization.models import PriorityAssessment
from segments.models import Segment
from tests.admin_forms import segment_form
from tests.api.conftest import bearer, integration_key
from tests.broker import app_pointed_at, free_port

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 15)  # FY27-Q4
NOW = datetime.datetime(2026, 11, 15, 9, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- two recomputes and an import during a run: the same data as one clean run -----------


@pytest.fixture
def portfolio(clock):
    """120 demo accounts with a year of history, recomputed the night before."""
    build_demo_portfolio(accounts=120, seed=11, as_of=AS_OF)
    recompute(trigger="nightly")


@pytest.fixture
def changed_accounts_file(portfolio, tmp_path):
    """The accounts as exported, every third one's risk flag flipped and ARR quadrupled:
    segments and priorities move."""
    exported = io.StringIO()
    call_command("export_accounts", stdout=exported)
    rows = list(csv.DictReader(io.StringIO(exported.getvalue())))
    for row in rows[::3]:
        row["at_risk"] = "false" if row["at_risk"] == "true" else "true"
        row["arr"] = str(Decimal(row["arr"]) * 4)
    path = tmp_path / "accounts.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _computed_state() -> dict:
    """Everything a run computes, keyed by what identifies it (not by row ids)."""
    return {
        "accounts": list(
            Account.objects.order_by("external_id").values_list(
                "external_id", "segment__code", "priority", "priority_reasons"
            )
        ),
        "assessments": list(
            PriorityAssessment.objects.order_by(
                "account__external_id", "fiscal_quarter"
            ).values_list(
                "account__external_id",
                "fiscal_quarter",
                "computed_priority",
                "reasons",
                "effective_priority",
                "source",
            )
        ),
        "metric_results": sorted(
            MetricResult.objects.values_list(
                "metric__key",
                "scope_type",
                "scope",
                "fiscal_quarter",
                "numerator",
                "denominator",
                "value",
                "target",
                "attained",
            ),
            key=repr,
        ),
    }


def _import(path, *args) -> str:
    out = io.StringIO()
    call_command("import_accounts", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_two_recomputes_and_an_import_during_a_run_end_as_one_clean_run(
    changed_accounts_file, monkeypatch
):
    night_before = _computed_state()
    with _rolled_back():  # the clean path: the import, then one run
        _import(changed_accounts_file, "--no-recompute")
        recompute(trigger="clean")
        clean = _computed_state()
    # The import moves priorities: a follow-up lost would leave them as the night before.
    assert clean["accounts"] != night_before["accounts"]

    asked_during_the_run = []
    compute_metrics = runs.compute_metrics

    def meanwhile(*args, **kwargs):
        # After the segments and priorities pass, before the metrics: those accounts were
        # read before the import changed them.
        if not asked_during_the_run:
            asked_during_the_run.append(recompute(trigger="nightly").status)
            asked_during_the_run.append(recompute(trigger="command").status)
            asked_during_the_run.append(_import(changed_accounts_file))
        return compute_metrics(*args, **kwargs)

    monkeypatch.setattr(runs, "compute_metrics", meanwhile)
    # The nightly task, as a worker runs it (in-process: the embedded default).
    recompute_portfolio.apply_async(kwargs={"trigger": "nightly"})

    skips, import_output = asked_during_the_run[:2], asked_during_the_run[2]
    assert skips == [RunStatus.SKIPPED, RunStatus.SKIPPED]
    # The import's recompute found the run in progress: it follows the run.
    assert "will follow shortly" in import_output
    assert _computed_state() == clean
    assert not RecomputeRequest.objects.exists()
    runs_recorded = list(RecomputeRun.objects.order_by("started_at", "id").values_list("status"))
    # the night before, the run, two skips, and one follow-up for all three
    assert [status for (status,) in runs_recorded] == [
        RunStatus.SUCCEEDED,
        RunStatus.SUCCEEDED,
        RunStatus.SKIPPED,
        RunStatus.SKIPPED,
        RunStatus.SUCCEEDED,
    ]


@contextmanager
def _rolled_back():
    """The block's writes, undone at its end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- the sweep: redo what a dead worker left, deliver what the broker missed ---------------


def _dead_run(clock, trigger="nightly") -> RecomputeRun:
    """A run whose worker was killed: still marked running, its lock left to run out."""
    take_lock()  # never renewed, never released
    return RecomputeRun.objects.create(trigger=trigger, as_of=AS_OF)


def test_the_sweep_redoes_a_run_whose_worker_died_once_its_lock_runs_out(clock, account):
    dead = _dead_run(clock)
    delivered = []

    assert requests.sweep(deliver=lambda: delivered.append(True))["abandoned"] == []
    assert delivered == []  # within the lock's expiry the run may be alive

    clock.shift(datetime.timedelta(seconds=90))
    outcome = requests.sweep(deliver=lambda: delivered.append(True))

    assert outcome["abandoned"] == [dead.pk]
    dead.refresh_from_db()
    assert dead.status == RunStatus.ABANDONED
    assert list(RecomputeRequest.objects.values_list("account_id", "trigger")) == [
        (None, f"redo: run {dead.pk}")
    ]
    assert delivered == [True]
    redo = requests.recompute_waiting()  # what the delivered task runs
    assert (redo.trigger, redo.status, redo.accounts) == ("redo", RunStatus.SUCCEEDED, 1)
    assert not RecomputeRequest.objects.exists()


def test_after_three_dead_runs_in_a_row_the_sweep_gives_up(clock, account):
    for attempt in range(3):
        dead = _dead_run(clock)
        clock.shift(datetime.timedelta(seconds=90))
        outcome = requests.sweep(deliver=lambda: None)
        assert outcome["redo"] == ("asked" if attempt < 2 else "gave up")

    gave_up = RecomputeRun.objects.order_by("-started_at", "-id").first()
    assert (gave_up.status, gave_up.details["abandoned"]) == (RunStatus.FAILED, [dead.pk])
    assert "not redone automatically" in gave_up.error
    # What was asked for still waits, but the sweep no longer delivers it...
    clock.shift(datetime.timedelta(minutes=5))
    delivered = []
    requests.sweep(deliver=lambda: delivered.append(True))
    assert delivered == [] and RecomputeRequest.objects.exists()
    # ...until a run ends (the nightly one, `manage.py recompute`), which covers it.
    assert recompute().status == RunStatus.SUCCEEDED
    assert not RecomputeRequest.objects.exists()


def test_the_sweep_delivers_requests_the_broker_missed(clock, account, settings):
    settings.RECOMPUTE_DEBOUNCE_SECONDS = 30
    outbox.store([account.pk], "api: crm sync")
    delivered = []

    clock.shift(datetime.timedelta(seconds=60))  # its own armed task may still be coming
    requests.sweep(deliver=lambda: delivered.append(True))
    assert delivered == []

    clock.shift(datetime.timedelta(seconds=1))  # twice the debounce: it was missed
    requests.sweep(deliver=lambda: delivered.append(True))
    assert delivered == [True]


def test_the_sweep_leaves_requests_to_the_run_in_progress(clock, account):
    outbox.store([account.pk], "api: crm sync")
    clock.shift(datetime.timedelta(minutes=5))
    lease = take_lock()
    delivered = []

    requests.sweep(deliver=lambda: delivered.append(True))

    assert delivered == []  # its task delivers them when it ends
    assert lease is not None


def test_a_message_whose_worker_died_three_times_is_recorded_failed_not_run(clock, account):
    # A worker killed whole leaves its message unacknowledged; Redis hands it out again.
    delivery = SimpleNamespace(request=SimpleNamespace(id="task-1", is_eager=False))
    for _ in range(3):
        RecomputeRun.objects.create(
            trigger="nightly",
            as_of=AS_OF,
            status=RunStatus.ABANDONED,
            details={"task_id": "task-1"},
        )
    RecomputeRun.objects.create(trigger="nightly", as_of=AS_OF, details={"task_id": "other"})

    recorded = tasks._given_up(delivery, "nightly")

    assert recorded.status == RunStatus.FAILED
    assert "delivered 3 times" in recorded.error
    assert (
        tasks._given_up(SimpleNamespace(request=SimpleNamespace(id="other", is_eager=False)), "x")
        is None
    )


# --- the broker down: every write succeeds and says the recompute will follow -------------


@pytest.fixture
def dead_broker():
    """This process publishes to a broker address nothing listens on."""
    with app_pointed_at(f"redis://127.0.0.1:{free_port()}/0"):
        yield


def test_deliver_with_the_broker_down_keeps_the_requests_and_raises_nothing(
    dead_broker, account, caplog
):
    outbox.store([account.pk], "api: crm sync")

    assert tasks.deliver() == tasks.WAITING

    assert RecomputeRequest.objects.filter(account_id=account.pk).exists()
    assert "the sweep delivers them once it is back" in caplog.text


def test_a_threshold_saved_with_the_broker_down_is_saved_and_says_the_recompute_follows(
    dead_broker, admin_client, account, django_capture_on_commit_callbacks
):
    named = Segment.objects.get(code="named")
    url = reverse("admin:segments_segment_change", args=[named.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {**segment_form(named, min_arr="75000"), "_confirm_impact": "1"}
        )

    assert response.status_code == 302
    assert Segment.objects.get(code="named").min_arr == Decimal("75000.00")
    assert "will follow shortly" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert list(RecomputeRequest.objects.values_list("account_id", "trigger")) == [
        (None, "threshold_change")
    ]


def test_import_accounts_with_the_broker_down_imports_and_says_the_recompute_follows(
    dead_broker, tmp_path, tam
):
    path = tmp_path / "accounts.csv"
    path.write_text(
        f"external_id,name,region,tam_email,arr\nSF-1,Acme,us-enterprise,{tam.email},120000\n"
    )

    output = _import(path)  # before: 20 retries, then exit 1 after 20 s

    assert "will follow shortly" in output
    assert Account.objects.filter(external_id="SF-1").exists()
    assert list(RecomputeRequest.objects.values_list("account_id", "trigger")) == [
        (None, "import: accounts.csv")
    ]


def test_an_api_write_with_the_broker_down_succeeds(
    dead_broker, account, django_capture_on_commit_callbacks
):
    client = bearer(integration_key(name="warehouse", can_read=False, can_write=True))
    record = {
        "account_external_id": account.external_id,
        "taken_on": "2026-11-01",
        "licensed_users": 100,
        "active_users": 40,
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/usage/bulk/", [record], content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["recompute"] == "queued"
    assert list(RecomputeRequest.objects.values_list("account_id", "trigger")) == [
        (account.pk, "api: warehouse")
    ]


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_large_import_confirmed_with_the_broker_down_runs_here(
    dead_broker, admin_client, account, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 1  # the file's 2 rows are "large": a worker's job
    header = "account_external_id,taken_on,licensed_users,active_users\n"
    rows = "".join(f"{account.external_id},2026-{m:02}-01,100,40\n" for m in (9, 10))
    upload = SimpleUploadedFile("usage.csv", (header + rows).encode())
    admin_client.post(reverse("imports"), {"kind": "usage", "files": [upload]})
    record = ImportRecord.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("import_confirm", args=[record.pk]))

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.rows_done) == ("done", 2)  # not left queued for nobody
    assert UsageSnapshot.objects.filter(account=account).count() == 2
    assert RecomputeRequest.objects.filter(account_id=account.pk).exists()
