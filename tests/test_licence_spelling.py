"""One spelling where a person reads it: "licence" (DESIGN's "licence use", the noun, as
"utilisation" is spelt), never "license"; the machine keys (`license_save`,
`low_license_saves`) stay as they are."""

import pytest
from django.urls import reverse

from accounts.models import Activity, ActivityKind
from metrics.models import MetricDefinition

pytestmark = pytest.mark.django_db


def test_the_metric_reads_licence_and_keeps_its_key():
    # Seeded by metrics 0002, renamed by 0009.
    assert MetricDefinition.objects.get(key="low_license_saves").name == (
        "Low licence utilisation saves"
    )


def test_the_activity_kind_and_its_field_read_licence():
    assert ActivityKind.LICENSE_SAVE.value == "license_save"
    assert ActivityKind.LICENSE_SAVE.label == "Low-licence-utilisation save"
    assert Activity._meta.get_field("saved").verbose_name == "licence utilisation saved"


def test_the_dashboard_and_the_activity_admin_never_say_license(client, admin_user):
    client.force_login(admin_user)
    pages = {
        reverse("dashboard:index"): "low licence utilisation saves",  # the metric select
        reverse("admin:accounts_activity_add"): "low-licence-utilisation save",
    }
    for url, said in pages.items():
        page = client.get(url).content.decode().lower()
        assert said in page
        assert "license" not in page.replace("license_save", "").replace("low_license_saves", "")
