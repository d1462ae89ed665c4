"""The run command shows the product: error pages in the portal's look, DEBUG off (issue 12).

Django renders 404 and 403 with the request's context, but 500 with an empty one (no
request, no user, no database): the 500 test runs without the database fixture, so any
query the page made would fail it. pytest-django runs tests with DEBUG off, as
`./scripts/run` now serves.
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import get_resolver, path, reverse

from tam_portal import urls as portal_urls

ROOT = Path(__file__).resolve().parent.parent


def _assert_portal_page(html, heading):
    assert f"<h1>{heading}</h1>" in html
    assert "<title>" in html and "TAM Portal</title>" in html
    assert 'class="brand"' in html
    assert f'href="{reverse("home")}"' in html
    assert "Traceback" not in html
    assert "DEBUG = True" not in html


def test_500_page_renders_with_an_empty_context_and_no_database():
    handler = get_resolver().resolve_error_handler(500)
    response = handler(RequestFactory().get("/boom/"))
    html = response.content.decode()
    assert response.status_code == 500
    _assert_portal_page(html, "Something went wrong")
    # Nobody is signed in as far as a bare context knows: no menu, no logout form.
    assert "Log out" not in html


def _boom(request):
    raise RuntimeError("secret internal detail")


# This module is also the URLconf of the test below: the portal's URLs plus one that raises.
urlpatterns = [path("boom/", _boom), *portal_urls.urlpatterns]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_view_that_raises_answers_with_the_500_page_not_a_traceback(client, tam):
    client.force_login(tam)
    client.raise_request_exception = False
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    _assert_portal_page(html, "Something went wrong")
    assert "secret internal detail" not in html


@pytest.mark.django_db
def test_404_page_for_a_visitor_offers_the_way_home(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    _assert_portal_page(html, "Page not found")
    assert "Log out" not in html


@pytest.mark.django_db
def test_404_page_for_a_signed_in_tam_keeps_the_menu(client, tam):
    client.force_login(tam)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    _assert_portal_page(html, "Page not found")
    assert "My book" in html and "Log out" in html


@pytest.mark.django_db
def test_403_page_is_the_portals(client, tam):
    handler = get_resolver().resolve_error_handler(403)
    request = RequestFactory().get("/admin-only/")
    request.user = tam
    response = handler(request, PermissionDenied())
    assert response.status_code == 403
    _assert_portal_page(response.content.decode(), "Not allowed")


def _embedded_settings(key_file):
    """The settings Django reads after scripts/_embedded_env.sh, in a fresh process."""
    script = (
        '. scripts/_embedded_env.sh && embedded_env "$1" && exec "$2" -c \''
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({name: getattr(settings, name) for name in ("
        '"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", '
        '"SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")}))\''
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "tam_portal.settings"
    done = subprocess.run(
        ["bash", "-c", script, "embedded", str(key_file), sys.executable],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_embedded_env_serves_with_debug_off_on_plain_http_with_a_kept_private_key(tmp_path):
    key_file = tmp_path / ".secret_key"
    first = _embedded_settings(key_file)
    assert first["DEBUG"] is False
    # Plain HTTP on 127.0.0.1: no redirect to HTTPS, no HSTS, cookies sent without TLS.
    assert first["SECURE_SSL_REDIRECT"] is False
    assert first["SECURE_HSTS_SECONDS"] == 0
    assert first["SESSION_COOKIE_SECURE"] is False
    assert first["CSRF_COOKIE_SECURE"] is False
    assert first["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Made once per checkout: a second run keeps it, so sessions survive a restart.
    assert _embedded_settings(key_file)["SECRET_KEY"] == first["SECRET_KEY"]


def test_run_script_collects_static_files_and_serves_them_without_insecure():
    run = (ROOT / "scripts" / "run").read_text()
    assert "embedded_env .secret_key" in run
    assert run.index("collectstatic --noinput") < run.index("runserver 127.0.0.1:8000")
    serve_line = next(line for line in run.splitlines() if "runserver" in line and "exec" in line)
    assert "--insecure" not in serve_line
    assert ".secret_key" in (ROOT / ".gitignore").read_text().splitlines()
