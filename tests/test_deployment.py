"""Production settings, checked in processes of their own (the test settings serve plain HTTP):
with only DJANGO_DEBUG=0, a secret key and the host names set, `check --deploy` has nothing to
warn about and the app insists on HTTPS; AIZUCHI_PLAIN_HTTP=1 relaxes that for an intranet."""

import json
import os
import subprocess
import sys

from django.conf import settings

HOST = "aizuchi.example.com"

# What a request over HTTP and one over HTTPS get back, printed as JSON by a Django shell.
_PROBE = f"""
import json
from django.test import Client
client = Client()
plain = client.get("/accounts/login/", HTTP_HOST="{HOST}")
secure = client.get("/accounts/login/", HTTP_HOST="{HOST}", secure=True)
print(json.dumps({{
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "secure_status": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
}}))
"""


def production_env(tmp_path, **extra: str) -> dict[str, str]:
    """Only what an operator must set, plus a scratch var/ and no .env of this checkout."""
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "AIZUCHI_VAR_DIR": str(tmp_path / "var"),
        "AIZUCHI_STATIC_ROOT": str(tmp_path / "static"),
        "AIZUCHI_ENV_FILE": str(tmp_path / "no.env"),
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_given_production_settings_when_checked_for_deployment_then_nothing_is_reported(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_given_production_settings_then_http_is_redirected_and_https_gets_hsts_and_secure_cookies(tmp_path):
    result = manage(production_env(tmp_path), "shell", "-c", _PROBE)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == f"https://{HOST}/accounts/login/"
    assert seen["secure_status"] == 200
    assert "max-age=31536000" in seen["hsts"] and "includeSubDomains" in seen["hsts"]
    assert seen["csrf_cookie_secure"] is True


def test_given_plain_http_intranet_setting_then_http_is_served_with_ordinary_cookies(tmp_path):
    result = manage(production_env(tmp_path, AIZUCHI_PLAIN_HTTP="1"), "shell", "-c", _PROBE)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain_status"] == 200
    assert seen["hsts"] == ""
    assert seen["csrf_cookie_secure"] is False
