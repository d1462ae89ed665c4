"""Issue 11, point 7: every change to a threshold, parameter, target, rhythm row, integration
key, role or team, and every decision, is in the audit log (who, when, before, after),
which admins read and nobody edits (core/models.py, core/audit.py, core/audit_admin.py).

A change keeps only the fields that changed; a creation the whole object as `after`, a
deletion as `before`; a reference reads `label (#id)`; a secret (a password hash, a key's
digest or prefix) is never written.
"""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from api.models import IntegrationKey, PersonalToken
from core.models import AuditEntry, AuditLogIsReadOnly
from metrics.models import MetricDefinition, MetricTarget
from people.models import Role, SecuritySettings, Team
from prioritization.models import RuleSetParameters
from prioritization.services import priority_exception_approve, priority_exception_request
from segments.models import Segment
from tests.api.conftest import bearer, integration_key
from tests.factories import ManagerFactory, RhythmTaskFactory, TamFactory, region, segment

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 24, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _form_data(response, **changes):
    """What the browser posts back from an admin change page as rendered (main form and
    inlines), with `changes` applied."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            value = form[name].value()
            if value is None:
                continue
            widget = field.widget
            if hasattr(widget, "widgets") and not isinstance(value, list):
                for index, part in enumerate(widget.decompress(value)):
                    data[f"{form[name].html_name}_{index}"] = "" if part is None else part
            else:
                data[form[name].html_name] = value
    return data | changes


def _entries(model_label):
    return list(AuditEntry.objects.filter(model=model_label).order_by("id"))


def _whole_log_text():
    return json.dumps(list(AuditEntry.objects.values("object_label", "before", "after", "via")))


# --- what is recorded -----------------------------------------------------------------------


def test_a_threshold_change_in_the_admin_records_who_and_the_changed_field(
    admin_client, admin_user
):
    named = Segment.objects.get(code="named")
    url = reverse("admin:segments_segment_change", args=[named.pk])
    data = _form_data(admin_client.get(url), min_arr="75000", _confirm_impact="1")

    response = admin_client.post(url, data)

    assert response.status_code == 302
    [entry] = _entries("segments.segment")
    assert (entry.actor, entry.actor_name, entry.via) == (admin_user, admin_user.username, "admin")
    assert (entry.action, entry.object_id, entry.object_label) == (
        "changed",
        str(named.pk),
        str(named),
    )
    assert entry.at == NOW
    # Only the field that changed, before and after (decimals as their exact text).
    assert (entry.before, entry.after) == ({"min_arr": "100000.00"}, {"min_arr": "75000.00"})


def test_a_change_to_the_session_idle_time_is_recorded(admin_client):
    settings_row = SecuritySettings.objects.get()
    url = reverse("admin:people_securitysettings_change", args=[settings_row.pk])

    assert admin_client.post(url, {"session_idle_minutes": "60"}).status_code == 302

    [entry] = _entries("people.securitysettings")
    assert (entry.before, entry.after) == (
        {"session_idle_minutes": 720},
        {"session_idle_minutes": 60},
    )


def test_the_impact_preview_alone_records_nothing(admin_client):
    named = Segment.objects.get(code="named")
    url = reverse("admin:segments_segment_change", args=[named.pk])

    admin_client.post(url, _form_data(admin_client.get(url), min_arr="75000"))

    assert _entries("segments.segment") == []


def test_a_rule_parameter_change_is_recorded(admin_client):
    parameters = RuleSetParameters.objects.get(region=region("us-enterprise"))
    url = reverse("admin:prioritization_rulesetparameters_change", args=[parameters.pk])
    data = _form_data(admin_client.get(url), uptier_window_months="9", _confirm_impact="1")

    assert admin_client.post(url, data).status_code == 302

    [entry] = _entries("prioritization.rulesetparameters")
    assert (entry.before, entry.after) == ({"uptier_window_months": 6}, {"uptier_window_months": 9})


def test_a_target_added_inline_on_its_metric_is_recorded_whole(admin_client):
    metric = MetricDefinition.objects.get(key="ebr_coverage")
    url = reverse("admin:metrics_metricdefinition_change", args=[metric.pk])
    data = _form_data(admin_client.get(url))
    prefix = "targets"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data |= {
        f"{prefix}-TOTAL_FORMS": total + 1,
        f"{prefix}-{total}-metric": metric.pk,
        f"{prefix}-{total}-segment": segment("strategic").pk,
        f"{prefix}-{total}-target": "0.6",
    }

    assert admin_client.post(url, data).status_code == 302

    target = MetricTarget.objects.get(metric=metric, segment=segment("strategic"))
    [entry] = _entries("metrics.metrictarget")
    assert (entry.action, entry.object_id, entry.before) == ("created", str(target.pk), None)
    assert entry.after["segment"] == f"{segment('strategic')} (#{segment('strategic').pk})"
    assert _entries("metrics.metricdefinition") == []  # the metric itself did not change


def test_a_rhythm_row_deleted_by_the_bulk_action_is_recorded_whole(admin_client):
    row = RhythmTaskFactory(task="Quarterly audit prep")
    data = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}

    admin_client.post(reverse("admin:rhythm_rhythmtask_changelist"), data)

    [entry] = _entries("rhythm.rhythmtask")
    assert (entry.action, entry.object_label, entry.after) == ("deleted", str(row), None)
    assert entry.before["task"] == "Quarterly audit prep"


def test_a_role_and_team_change_is_recorded_without_the_password(admin_client, tam, manager):
    other_team = Team.objects.create(name="EMEA 2", region=region("emea-enterprise"))
    url = reverse("admin:people_user_change", args=[tam.pk])
    data = _form_data(admin_client.get(url), role=Role.MANAGER, team=other_team.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = _entries("people.user")
    assert entry.before == {"role": "tam", "team": f"{tam.team} (#{tam.team_id})"}
    assert entry.after == {"role": "manager", "team": f"EMEA 2 (#{other_team.pk})"}
    assert tam.password not in _whole_log_text()


def test_a_decision_is_recorded_as_decided_by_the_reviewer(account, tam, manager):
    exception = priority_exception_request(
        account=account, requested_by=tam, priority=1, justification="Large, no LAM"
    )

    priority_exception_approve(exception=exception, reviewer=manager, comment="Agreed")

    [entry] = _entries("prioritization.priorityexception")
    assert (entry.action, entry.actor, entry.object_id) == ("decided", manager, str(exception.pk))
    assert entry.before == {"status": "pending", "reviewed_by": None, "reviewed_at": None,
                            "review_comment": ""}  # fmt: skip
    assert entry.after["status"] == "approved"
    assert entry.after["reviewed_by"] == f"{manager} (#{manager.pk})"
    assert entry.after["review_comment"] == "Agreed"


def test_a_decision_in_the_admin_is_recorded_as_decided(admin_client, admin_user, account, tam):
    exception = priority_exception_request(
        account=account, requested_by=tam, priority=1, justification="Large, no LAM"
    )
    url = reverse("admin:prioritization_priorityexception_change", args=[exception.pk])

    admin_client.post(url, _form_data(admin_client.get(url), status="rejected"))

    [entry] = _entries("prioritization.priorityexception")
    assert (entry.action, entry.actor) == ("decided", admin_user)
    assert (entry.before["status"], entry.after["status"]) == ("pending", "rejected")


# --- integration keys: never the secret -----------------------------------------------------


def test_a_keys_secret_is_never_in_the_log(admin_client):
    response = admin_client.post(
        reverse("admin:api_integrationkey_add"),
        {"name": "CRM sync", "can_read": "on", "can_write": "on"},
    )
    token = response.context["token"]
    key = IntegrationKey.objects.get(name="CRM sync")
    admin_client.post(
        reverse("admin:api_integrationkey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )

    created, revoked = _entries("api.integrationkey")
    assert created.action == "created"
    assert {
        "name": "CRM sync",
        "can_read": True,
        "can_write": True,
    }.items() <= created.after.items()
    assert (revoked.via, revoked.before, revoked.after) == (
        "admin action: revoke",
        {"revoked_at": None},
        {"revoked_at": NOW.isoformat().replace("+00:00", "Z")},
    )
    log = _whole_log_text()
    for secret in (token, key.digest, key.prefix):
        assert secret not in log
    assert not {"digest", "prefix"} & (set(created.after) | set(revoked.after))


def test_a_personal_token_made_and_revoked_through_the_api_is_recorded_without_its_secret(
    client, tam
):
    client.force_login(tam)

    created = client.post("/api/v1/tokens/", {"name": "weekly export"}).json()
    client.delete(f"/api/v1/tokens/{created['id']}/")

    made, revoked = _entries("api.personaltoken")
    assert (made.action, made.actor, made.via) == ("created", tam, "api")
    assert made.after["name"] == "weekly export"
    assert (revoked.action, revoked.before, revoked.after) == (
        "changed",
        {"revoked_at": None},
        {"revoked_at": NOW.isoformat().replace("+00:00", "Z")},
    )
    key = PersonalToken.objects.get()
    for secret in (created["token"], key.digest, key.prefix):
        assert secret not in _whole_log_text()


# --- people and teams fed through the API ---------------------------------------------------


def test_people_fed_through_the_api_are_recorded_under_the_key(tam):
    writer = bearer(integration_key(name="hr-feed", can_read=False, can_write=True))
    records = [
        {"email": tam.email, "name": tam.get_full_name(), "role": "manager", "team": "", "active": True},
        {"email": "new@example.com", "name": "New Person", "role": "tam", "team": "", "active": True},
    ]  # fmt: skip

    response = writer.post("/api/v1/people/bulk/", json.dumps(records), "application/json")

    assert response.status_code == 200, response.content
    changed, created = sorted(_entries("people.user"), key=lambda entry: entry.action)
    assert (changed.action, changed.object_id, changed.via) == (
        "changed",
        str(tam.pk),
        "api: hr-feed",
    )
    assert changed.before["role"] == "tam" and changed.after["role"] == "manager"
    assert (changed.actor, changed.actor_name) == (None, "")  # a key acts as nobody
    assert created.action == "created"
    assert created.after["email"] == "new@example.com" and created.object_id != ""
    assert "password" not in created.after and "pbkdf2" not in _whole_log_text()


def test_a_repeated_feed_records_nothing_more(tam):
    writer = bearer(integration_key(name="hr-feed", can_read=False, can_write=True))
    records = [{"name": "EMEA 3", "region": "emea-enterprise", "manager_email": ""}]

    for _ in range(2):
        writer.post("/api/v1/teams/bulk/", json.dumps(records), "application/json")

    [entry] = _entries("people.team")
    assert entry.action == "created"


def test_a_teams_file_imported_from_the_command_line_is_recorded_as_an_import(tmp_path, manager):
    team = manager.managed_teams.get()
    path = tmp_path / "teams.csv"
    path.write_text(f"name,region,manager_email\n{team.name},emea-enterprise,{manager.email}\n")

    call_command("import_data", "teams", str(path), stdout=io.StringIO())

    [entry] = _entries("people.team")
    assert (entry.action, entry.via, entry.actor) == ("changed", "import", None)
    assert entry.after == {
        "region": f"{region('emea-enterprise')} (#{region('emea-enterprise').pk})"
    }


# --- who reads it, and nobody edits it ------------------------------------------------------


@pytest.fixture
def entry(admin_client):
    row = RhythmTaskFactory(task="Quarterly audit prep")
    url = reverse("admin:rhythm_rhythmtask_change", args=[row.pk])
    admin_client.post(url, _form_data(admin_client.get(url), hours_per_week="3"))
    return AuditEntry.objects.get(model="rhythm.rhythmtask")


def test_an_admin_reads_the_list_and_an_entry(admin_client, entry):
    listing = admin_client.get(reverse("admin:core_auditentry_changelist"), {"q": "audit prep"})
    detail = admin_client.get(reverse("admin:core_auditentry_change", args=[entry.pk]))

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [entry]
    assert detail.status_code == 200
    assert "Quarterly audit prep" in detail.text
    assert 'name="_save"' not in detail.text  # view only: no save button
    assert reverse("admin:core_auditentry_delete", args=[entry.pk]) not in detail.text
    assert 'name="action"' not in listing.text  # no actions, so no bulk delete


def test_the_list_filters_by_who_what_and_action(admin_client, admin_user, entry):
    url = reverse("admin:core_auditentry_changelist")

    by_who = admin_client.get(url, {"who": admin_user.username})
    by_nobody = admin_client.get(url, {"who": "somebody-else"})
    by_what = admin_client.get(url, {"model": "rhythm.rhythmtask", "action": "changed"})

    assert list(by_who.context["cl"].result_list) == [entry]
    assert list(by_nobody.context["cl"].result_list) == []
    assert list(by_what.context["cl"].result_list) == [entry]


def test_nobody_adds_changes_or_deletes_an_entry_not_even_a_superuser(admin_client, entry):
    change = reverse("admin:core_auditentry_change", args=[entry.pk])

    assert admin_client.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert admin_client.post(change, {"object_label": "forged"}).status_code == 403
    assert (
        admin_client.get(reverse("admin:core_auditentry_delete", args=[entry.pk])).status_code
        == 403
    )
    assert admin_client.post(
        reverse("admin:core_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    ).status_code in (200, 302)
    label = entry.object_label
    entry.refresh_from_db()
    assert entry.object_label == label
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_code_cannot_rewrite_or_delete_an_entry(entry):
    entry.object_label = "forged"

    with pytest.raises(AuditLogIsReadOnly):
        entry.save()
    with pytest.raises(AuditLogIsReadOnly):
        entry.delete()


@pytest.mark.parametrize("who", ["manager", "staff without the permission"])
def test_people_who_are_not_admins_cannot_read_it(client, entry, who):
    person = ManagerFactory() if who == "manager" else TamFactory(is_staff=True)
    client.force_login(person)

    response = client.get(reverse("admin:core_auditentry_changelist"))

    # The admin sends a non-staff user to its login page and refuses staff without rights.
    assert response.status_code == (302 if who == "manager" else 403)
