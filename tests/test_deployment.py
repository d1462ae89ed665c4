"""The deployment files agree with the app: compose services, the env contract, check --deploy.

No Docker needed: the compose file is read as YAML, the settings module and gunicorn.conf.py
as text, and `manage.py check --deploy` runs in a subprocess with a production-like
environment.
"""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ["web", "worker", "beat"]

# env("X"), env.bool("X"), env.int("X"), env.list("X"), env.db("X"), ... in settings.py.
SETTINGS_ENV_READ = re.compile(r"\benv(?:\.[a-z_]+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
# os.environ.get("X", ...) in gunicorn.conf.py.
GUNICORN_ENV_READ = re.compile(r"os\.environ\.get\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
# `NAME=value` or, for an optional variable shown with its default, `# NAME=value`.
ENV_EXAMPLE_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def _command(service):
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_compose_has_every_service(services):
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)


def test_compose_images_are_postgres_15_and_redis_7(services):
    assert services["db"]["image"].split(":") == ["postgres", "15"]
    assert services["redis"]["image"].split(":") == ["redis", "7"]


@pytest.mark.parametrize("name", ["db", "redis", "web", "worker"])
def test_compose_service_has_healthcheck(services, name):
    assert services[name]["healthcheck"]["test"]


def test_compose_healthchecks_use_what_the_images_have(services):
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "urllib" in web_check  # python:3.11-slim has no curl
    assert "http://127.0.0.1:8000/health/" in web_check
    worker_check = " ".join(services["worker"]["healthcheck"]["test"])
    # $$ is compose's escape: the shell in the container expands $HOSTNAME.
    assert "celery -A tam_portal inspect ping --destination celery@$$HOSTNAME" in worker_check


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_app_services_wait_for_healthy_db_and_redis(services, name):
    depends_on = services[name]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_app_services_share_the_production_environment(services, name):
    service = services[name]
    env_file = service["env_file"]
    assert ".env" in ([env_file] if isinstance(env_file, str) else env_file)
    environment = service["environment"]
    assert environment["DATABASE_URL"] == "postgres://tam:tam@db:5432/tam_portal"
    assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert str(environment["DEBUG"]).lower() == "false"


def test_compose_db_credentials_match_database_url(services):
    db_env = services["db"]["environment"]
    assert (db_env["POSTGRES_USER"], db_env["POSTGRES_PASSWORD"], db_env["POSTGRES_DB"]) == (
        "tam",
        "tam",
        "tam_portal",
    )


def test_compose_db_data_is_on_a_named_volume(compose, services):
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "pgdata" in compose["volumes"]


def test_compose_web_migrates_then_serves_with_gunicorn(services):
    command = _command(services["web"])
    assert command.index("manage.py migrate --noinput") < command.index("gunicorn")
    assert "tam_portal.wsgi:application" in command
    assert "--config gunicorn.conf.py" in command
    # Workers and threads come from gunicorn.conf.py, not the command line.
    assert "--workers" not in command


def test_compose_worker_and_beat_run_celery_for_tam_portal(services):
    assert _command(services["worker"]).startswith("celery -A tam_portal worker")
    assert "--concurrency 2" in _command(services["worker"])
    assert _command(services["beat"]).startswith("celery -A tam_portal beat")


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert "pip install ." in dockerfile
    assert "collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
    assert "tam_portal.wsgi:application" in dockerfile.splitlines()[-1]
    assert "0.0.0.0:8000" in dockerfile.splitlines()[-1]
    assert '"--config", "gunicorn.conf.py"' in dockerfile.splitlines()[-1]


def _gunicorn_settings(monkeypatch, **environment):
    for name in _gunicorn_env_names():
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_defaults_suit_two_cores(monkeypatch):
    config = _gunicorn_settings(monkeypatch)

    assert (config["workers"], config["threads"], config["worker_class"]) == (3, 4, "gthread")
    assert (config["timeout"], config["graceful_timeout"]) == (60, 30)
    assert (config["max_requests"], config["max_requests_jitter"]) == (1000, 100)
    assert config["accesslog"] == "-"


def test_gunicorn_sizes_come_from_the_environment(monkeypatch):
    config = _gunicorn_settings(
        monkeypatch,
        GUNICORN_WORKERS="5",
        GUNICORN_THREADS="2",
        GUNICORN_TIMEOUT="90",
        GUNICORN_MAX_REQUESTS="500",
    )

    assert (config["workers"], config["threads"], config["timeout"]) == (5, 2, 90)
    assert (config["max_requests"], config["max_requests_jitter"]) == (500, 50)


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "db.sqlite3"} <= ignored


def _settings_env_names():
    return set(SETTINGS_ENV_READ.findall((ROOT / "tam_portal" / "settings.py").read_text()))


def _gunicorn_env_names():
    return set(GUNICORN_ENV_READ.findall((ROOT / "gunicorn.conf.py").read_text()))


def _env_example_names():
    return set(ENV_EXAMPLE_LINE.findall((ROOT / ".env.example").read_text()))


def test_env_patterns_see_the_settings_and_gunicorn():
    # Guards the tests below against a regex that silently matches nothing.
    assert {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"} <= _settings_env_names()
    assert {"GUNICORN_WORKERS", "GUNICORN_THREADS"} <= _gunicorn_env_names()


def test_every_env_example_variable_is_read_by_settings_or_gunicorn():
    sources = (ROOT / "tam_portal" / "settings.py").read_text() + (
        ROOT / "gunicorn.conf.py"
    ).read_text()
    unread = {name for name in _env_example_names() if f'"{name}"' not in sources}
    assert not unread, f".env.example names variables nothing reads: {unread}"


def test_every_variable_settings_or_gunicorn_reads_is_in_env_example():
    missing = (_settings_env_names() | _gunicorn_env_names()) - _env_example_names()
    assert not missing, f"variables read but not listed in .env.example: {missing}"


def test_env_example_holds_no_usable_secret_key():
    match = re.search(r"^SECRET_KEY=(.*)$", (ROOT / ".env.example").read_text(), re.MULTILINE)
    assert match
    assert "replace" in match.group(1)


def _check_deploy(**variables) -> subprocess.CompletedProcess:
    """`check --deploy` with only the production minimum (and `variables`) set."""
    env = {
        name: value
        for name, value in os.environ.items()
        # Only the variables below decide the outcome, not whatever the caller exported
        # (scripts/test exports DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests).
        if name not in _settings_env_names() and name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tam_portal.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="tam.example.com",
        # Never connected to by `check`: only their presence matters.
        DATABASE_URL="postgres://tam:secret@db.example.internal:5432/tam_portal",
        CELERY_BROKER_URL="redis://redis.example.internal:6379/0",
        **variables,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_only_the_required_variables():
    # Issue 11: SECRET_KEY, ALLOWED_HOSTS and the database and broker URLs are enough.
    result = _check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_https_redirect_and_hsts_can_be_turned_off_behind_a_proxy():
    # The variables reach the settings: check --deploy then names exactly those two.
    result = _check_deploy(SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W008" in output  # SECURE_SSL_REDIRECT
    assert "security.W004" in output  # SECURE_HSTS_SECONDS
    assert "issues (0 silenced)" in output and "identified 2 issues" in output


@pytest.mark.parametrize(
    ("variables", "debug"),
    [
        ({}, "True"),  # the embedded default: a developer's machine
        ({"SECRET_KEY": "x" * 50}, "False"),  # a deployment: secure by default
        ({"SECRET_KEY": "x" * 50, "DEBUG": "true"}, "True"),  # a developer who sets a key
    ],
)
def test_debug_goes_off_once_a_secret_key_is_set(variables, debug):
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _settings_env_names() and name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(DJANGO_SETTINGS_MODULE="tam_portal.settings", **variables)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.strip() == debug, result.stderr
