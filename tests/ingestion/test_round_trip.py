"""The round trip of everything (issue 10, point 3; DESIGN 10).

A demo portfolio is exported kind by kind, every row the kinds cover is deleted (what the
migrations seed stays: regions, stages, segments, metric definitions, rhythm tables),
the folder is imported and the recompute run again as of the same day. The metrics and
the accounts files must come out as they were: anything the metrics or the rules read
that has no way in through a kind would make them differ.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from demo import build_demo_portfolio
from ingestion.kinds import ORDER
from lib.fiscal import fiscal_quarter_of

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 15)  # FY27-Q4


def run(command: str, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except CommandError as error:
        raise AssertionError(f"{command}: {error}\n{err.getvalue()}") from None
    return out.getvalue()


def reports(quarter: str) -> tuple[str, str]:
    return run("export_metrics", "--quarter", quarter), run("export_accounts")


def models_with_rows() -> set:
    return {model for model in apps.get_models() if model.objects.exists()}


def delete_everything_but(kept: set) -> None:
    """Delete every row of every model outside `kept`, dependants first: a model whose
    rows another model's protected or restricted keys point at waits for that model."""
    left = [model for model in apps.get_models() if model not in kept]
    for _ in range(len(left) + 1):
        blocked = []
        for model in left:
            try:
                with transaction.atomic():
                    model.objects.all().delete()
            except (ProtectedError, RestrictedError):  # try again after the rest
                blocked.append(model)
        if not blocked:
            return
        left = blocked
    raise AssertionError(f"cannot empty {left}")


def test_a_demo_exported_and_imported_into_an_empty_database_gives_the_same_reports(tmp_path):
    seeded_by_migrations = models_with_rows()
    build_demo_portfolio(accounts=120, seed=3, as_of=AS_OF)
    run("recompute", "--as-of", AS_OF.isoformat())
    quarter = fiscal_quarter_of(AS_OF, settings.FISCAL_YEAR_START_MONTH).label
    metrics_before, accounts_before = reports(quarter)
    folder = tmp_path / "export"
    folder.mkdir()
    for kind in ORDER:
        run("export_data", kind, str(folder / f"{kind}.csv"))

    delete_everything_but(seeded_by_migrations)
    assert not models_with_rows() - seeded_by_migrations

    run("import_data", "--dir", str(folder))
    run("recompute", "--as-of", AS_OF.isoformat())
    metrics_after, accounts_after = reports(quarter)

    assert metrics_before.count("\n") > 27  # the metrics were computed, not both empty
    assert accounts_after.splitlines() == accounts_before.splitlines()
    # Rows of one scope type are in the order of their scopes' database ids: set those aside.
    assert sorted(metrics_after.splitlines()) == sorted(metrics_before.splitlines())
