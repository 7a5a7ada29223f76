"""Production deployment: the compose file's shape, and settings that refuse to start half-configured.

Settings are loaded in subprocesses, because they are read once per process from the environment
and this process already runs on the test settings.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import yaml

from safeguard.settings import DEVELOPMENT_SECRET_KEY

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
SETUP_DJANGO = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='safeguard.settings'; django.setup()"
UNREACHABLE_DATABASE_URL = "postgres://u:p@127.0.0.1:5432/x"
# Only what a Python process needs to run: nothing of this shell's Vigil configuration
# (DATABASE_URL, REDIS_URL, SECRET_KEY, DJANGO_SETTINGS_MODULE...) leaks into the subprocess.
KEPT_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def clean_environment() -> dict[str, str]:
    return {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}


def production_environment(var_dir: Path) -> dict[str, str]:
    """Everything production requires, with a database nobody can connect to."""
    return {
        **clean_environment(),
        "VIGIL_ENV": "production",
        "VIGIL_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "vigil.example.org",
        "DATABASE_URL": UNREACHABLE_DATABASE_URL,
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def python_with_settings(env: dict[str, str], then: str = "") -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-c", f"{SETUP_DJANGO}; {then}"], env)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


# The compose file.


def test_compose_runs_every_production_process(services):
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert services["web"]["command"][:2] == ["gunicorn", "safeguard.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "safeguard", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "safeguard", "beat"]
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"


@pytest.mark.parametrize(
    ("service", "probe"),
    [("db", "pg_isready"), ("redis", "redis-cli ping"), ("web", "('127.0.0.1', 8000)")],
)
def test_stateful_and_serving_services_have_healthchecks(services, service, probe):
    healthcheck = services[service]["healthcheck"]
    assert probe in " ".join(healthcheck["test"])


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_processes_wait_for_a_healthy_database_broker_and_migrated_schema(services, service):
    depends_on = services[service]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_migrations_run_once_before_the_app_starts(services):
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"


@pytest.mark.parametrize("service", ["db", "redis"])
def test_data_lives_in_named_volumes(compose, services, service):
    volume_names = {mount.split(":")[0] for mount in services[service]["volumes"]}
    assert volume_names
    assert volume_names <= set(compose["volumes"])


def test_redis_persists_queued_messages(services):
    assert "--appendonly yes" in " ".join(services["redis"]["command"])


@pytest.mark.parametrize("service", [*APP_SERVICES, "migrate"])
def test_app_processes_run_production_settings(services, service):
    environment = services[service]["environment"]
    assert services[service]["build"] == "."
    assert environment["VIGIL_ENV"] == "production"
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert environment["DATABASE_URL"].startswith("postgres://vigil:")
    assert environment["DATABASE_URL"].endswith("@db:5432/vigil")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["BEHIND_TLS_PROXY"] == "true"


# Production settings.


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
    ],
    ids=["no-secret-key", "development-secret-key", "no-allowed-hosts", "no-database-url"],
)
def test_production_refuses_to_start_without_required_settings(tmp_path, change, named):
    env = production_environment(tmp_path)
    for name, value in change.items():
        if value is None:
            del env[name]
        else:
            env[name] = value

    result = python_with_settings(env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Production needs {named}" in result.stderr


def test_complete_production_settings_pass_the_deploy_check(tmp_path):
    env = production_environment(tmp_path)

    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # So the check passed without a database: nothing answers at that URL.
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(UNREACHABLE_DATABASE_URL, connect_timeout=3)


def test_secret_key_can_come_from_a_file(tmp_path):
    key = secrets.token_urlsafe(48)
    key_file = tmp_path / "secret_key"
    key_file.write_text(key + "\n")
    env = production_environment(tmp_path)
    del env["SECRET_KEY"]
    env["SECRET_KEY_FILE"] = str(key_file)

    result = python_with_settings(env, "from django.conf import settings; print(len(settings.SECRET_KEY))")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(key)) == "64"


def test_static_files_collect_with_the_image_build_values(tmp_path):
    # The Dockerfile runs collectstatic under production settings with throwaway values.
    env = {
        **production_environment(tmp_path),
        "ALLOWED_HOSTS": "build.invalid",
        "DATABASE_URL": "postgres://build:build@build.invalid:5432/build",
    }

    result = run([sys.executable, "manage.py", "collectstatic", "--noinput"], env)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()
