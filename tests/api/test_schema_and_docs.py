"""The OpenAPI document and the docs page: a valid OpenAPI 3 schema naming every
endpoint, and Swagger UI from the sidecar's files, working under the site's CSP."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.validation import validate_schema

from ingestion.kinds import ORDER
from ingestion.service import DELETABLE
from tests.api.conftest import bearer, personal_token

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/accounts/",
    "/api/v1/accounts/{external_id}/",
    "/api/v1/accounts/{external_id}/explanation/",
    "/api/v1/accounts/{external_id}/assessments/",
    "/api/v1/accounts/{external_id}/timeline/",
    "/api/v1/metrics/",
    "/api/v1/burndown/{list}/",
    "/api/v1/tokens/",
    "/api/v1/tokens/{id}/",
    *(f"/api/v1/{kind}/bulk/" for kind in ORDER),
    *(f"/api/v1/{kind}/{{external_id}}/" for kind in DELETABLE),
}


def test_the_schema_is_a_valid_openapi_3_document(tam):
    response = bearer(personal_token(tam)).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == ENDPOINTS
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    filters = {p["name"] for p in schema["paths"]["/api/v1/accounts/"]["get"]["parameters"]}
    assert {"region", "tam", "segment", "priority", "health", "updated_since", "cursor"} <= filters


def test_the_schema_needs_a_credential():
    assert Client().get("/api/v1/schema/").status_code == 401


def _sources(page: str, tag: str, attribute: str) -> list[str]:
    return re.findall(rf"<{tag}[^>]*\s{attribute}=\"([^\"]+)\"", page)


def test_the_docs_page_runs_under_the_csp_from_our_own_files(tam):
    client = Client()
    client.force_login(tam)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page = response.content.decode()
    # Nothing inline: every script and style is a file from this site.
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page)
    assert "<style" not in page and " style=" not in page
    scripts = _sources(page, "script", "src")
    styles = _sources(page, "link", "href")
    assert all(src.startswith("/") and not src.startswith("//") for src in scripts + styles)
    for url in scripts + styles:
        path = url.split("?")[0]
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/")), path
    assert any("swagger-ui-bundle.js" in src for src in scripts)
    init = next(src for src in scripts if "script" in src.split("?", 1)[-1])
    script = client.get(init.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


def test_the_docs_page_sends_anonymous_visitors_to_sign_in():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
