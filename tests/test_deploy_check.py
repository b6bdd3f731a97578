"""`manage.py check --deploy` under production settings, as an operator would run it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "pr0duction-l1ke-k3y-for-the-deploy-check-9f8e7d6c5b4a3f2e1d0c",
    "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://tracker.example.org",
    "DJANGO_BEHIND_TLS_PROXY": "1",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_PRELOAD": "1",
}


def check_deploy(**changes: str) -> subprocess.CompletedProcess:
    """Run the check with PRODUCTION, as changed, and no other DJANGO_ variable."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "evtracker.settings", "DJANGO_ENV_FILE": "", **PRODUCTION, **changes})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_a_warning():
    result = check_deploy()

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""


def test_the_deploy_check_names_what_is_missing():
    """The same check catches a deployment that forgets HTTPS settings (so it can fail)."""
    result = check_deploy(DJANGO_SECURE_HSTS_SECONDS="0", DJANGO_SECURE_SSL_REDIRECT="0")

    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W008" in result.stderr  # no redirect to https
    assert "identified 2 issues" in result.stderr


def test_cookies_are_secure_unless_switched_off():
    result = check_deploy(DJANGO_SECURE_COOKIES="0")

    assert "security.W012" in result.stderr  # session cookie
    assert "security.W016" in result.stderr  # CSRF cookie
