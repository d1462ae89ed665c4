import pytest

from tests.factories import AccountFactory, AdminFactory, ManagerFactory, TamFactory, TeamFactory


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Every factory user hashes a password; the production hasher costs most of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _recompute_in_the_test_transaction(settings):
    # Worker threads open their own connections, which cannot see the rows a test wrote
    # inside its transaction; tests that exercise the threads say so and commit.
    settings.RECOMPUTE_WORKERS = 1


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
