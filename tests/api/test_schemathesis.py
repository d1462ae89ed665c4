"""Schemathesis (pinned) fuzzes every operation from the API's own schema, valid and
invalid inputs alike, a bounded number of examples each: no answer may be a server
error. Requests go through the WSGI app in the test's own transaction."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from api.models import PersonalToken
from tests.api.conftest import integration_key, personal_token
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    AdminFactory,
    MetricResultFactory,
    PriorityAssessmentFactory,
)

EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def fuzz_world(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "100000/minute"},
    }
    account = AccountFactory(external_id="ACC-1", priority=1, priority_reasons="default")
    ActivityFactory(account=account)
    PriorityAssessmentFactory(account=account)
    MetricResultFactory()
    integration_key(can_write=True)
    return personal_token(AdminFactory())


@pytest.fixture
def wsgi_app_in_the_test_transaction(fuzz_world):
    # The WSGI handler closes the connection after each request, which would end the
    # test's transaction; Django's test client unhooks the same signal.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _fuzz(operation, mode, token) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        # A generated DELETE may revoke the very token the fuzzing runs with: un-revoke
        # it, so every example is a real, authenticated call.
        PersonalToken.objects.update(revoked_at=None)
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=[not_a_server_error])

    call()


# (schemathesis' own pytest integration, `from_fixture`, fails under pytest 9: it reads a
# private attribute pytest removed; the operations are driven directly instead.)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_answers_a_server_error(wsgi_app_in_the_test_transaction, fuzz_world, mode):
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json",
        wsgi_app_in_the_test_transaction,
        headers={"Authorization": f"Bearer {fuzz_world}"},
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    # 9 read paths (tokens/ has GET and POST, tokens/{id}/ GET and DELETE): 11 operations;
    # then a bulk POST for each of the 12 kinds and a DELETE for the 6 keyed by external id.
    assert len(operations) == 11 + 12 + 6
    for operation in operations:
        _fuzz(operation, mode, fuzz_world)
