import pytest
from django.db import transaction
from django.test import override_settings

from tests.factories import AccountFactory, AdminFactory, ManagerFactory, TamFactory, TeamFactory

# Every factory user hashes a password; the production hasher costs most of a second.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Worker threads open their own connections, which cannot see the rows a test wrote
# inside its transaction; tests that exercise the threads say so and commit.
RECOMPUTE_WORKERS_IN_TESTS = 1


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _recompute_in_the_test_transaction(settings):
    settings.RECOMPUTE_WORKERS = RECOMPUTE_WORKERS_IN_TESTS


@pytest.fixture
def team(db):
    return TeamFactory(manager=ManagerFactory())


@pytest.fixture
def manager(team):
    return team.manager


@pytest.fixture
def tam(team):
    return TamFactory(team=team)


@pytest.fixture
def other_tam(db):
    """A TAM of another team, who must see nothing of `tam`'s book."""
    return TamFactory(team=TeamFactory(manager=ManagerFactory()))


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def account(tam):
    return AccountFactory(tam=tam)


# --- rows shared by a module's tests ------------------------------------------------------


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a whole test module, for data that is costly to build and that
    the module's tests only read.

    A module-scoped fixture that depends on this one writes its rows once, inside the
    transaction; each test (marked `django_db`) then runs in a savepoint of it, so whatever a
    test writes is rolled back before the next test starts and no test sees another's
    writes. After the module's last test the shared rows are rolled back too, so other
    modules start from the migrated database as usual. Not for modules with
    `transaction=True` tests, which need to commit.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=FAST_PASSWORD_HASHERS, RECOMPUTE_WORKERS=RECOMPUTE_WORKERS_IN_TESTS
        ),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)


# --- Both databases: PostgreSQL-only tests, and SQLite's test database in a file ---------
# scripts/test runs the suite on PostgreSQL and again on SQLite, the embedded default.


def pytest_collection_modifyitems(config, items):
    """Skip `@pytest.mark.postgresql_only(reason=...)` tests on any other database."""
    from django.db import connection

    for item in items:
        _require_serialized_rollback(item)
        marker = item.get_closest_marker("postgresql_only")
        if marker is None:
            continue
        reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
        if not reason:
            raise pytest.UsageError(f"{item.nodeid}: postgresql_only needs reason=...")
        if connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))


def _require_serialized_rollback(item) -> None:
    """A `transaction=True` test ends by emptying every table. Without serialized_rollback
    the migrations' rows (regions, segments, content types) are then rebuilt by signals,
    and the next serialized test fails to load them back over the rebuilt ones."""
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
        raise pytest.UsageError(
            f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True"
        )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """Test on SQLite in a file, as users run it, rather than Django's default in memory.

    Django shares one in-memory database between threads in SQLite's shared-cache mode,
    where two connections writing at once fail at once ("database table is locked")
    instead of waiting as they do on a file: tests of concurrent runs need the file.
    """
    from django.conf import settings

    for alias, database in settings.DATABASES.items():
        if database["ENGINE"] == "django.db.backends.sqlite3":
            folder = tmp_path_factory.mktemp("sqlite")
            database.setdefault("TEST", {})["NAME"] = str(folder / f"test_{alias}.sqlite3")


# --- end of the two-database block ----------------------------------------------------------
