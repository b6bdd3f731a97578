"""Settings come from the environment and refuse to start on a dangerous or malformed value."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_django(**env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "evtracker.settings", "DJANGO_ENV_FILE": "", **env})
    code = "import django; django.setup(); from django.conf import settings; print('DEBUG', settings.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = start_django(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = start_django(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_debug_on_needs_no_secret_key():
    result = start_django(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout


def test_malformed_boolean_is_refused_by_name():
    result = start_django(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_bad_database_url_is_refused():
    result = start_django(DJANGO_DEBUG="1", DATABASE_URL="nosuchdb://x")
    assert result.returncode != 0
    assert "DATABASE_URL is not a usable database URL" in result.stderr


def test_env_file_switches_debug_on_for_a_local_checkout(tmp_path):
    env_file = tmp_path / "local.env"
    env_file.write_text("# comment\nDJANGO_DEBUG=1\n")
    result = start_django(DJANGO_ENV_FILE=str(env_file))
    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout
