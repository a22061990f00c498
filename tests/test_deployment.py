"""Production settings, checked in processes of their own (the test settings serve plain HTTP):
with only DJANGO_DEBUG=0, a secret key and the host names set, `check --deploy` has nothing to
warn about and the app insists on HTTPS; AIZUCHI_PLAIN_HTTP=1 relaxes that for an intranet."""

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.conftest import wait_for

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _makefile_run_env() -> dict[str, str]:
    """The variables `make run` puts before runserver (RUN_ENV in the Makefile)."""
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    line = next(ln for ln in makefile.splitlines() if ln.startswith("RUN_ENV ?="))
    return dict(pair.split("=", 1) for pair in line.split("?=", 1)[1].split())


def test_given_make_run_settings_then_runserver_serves_static_files_and_a_plain_http_login(tmp_path):
    # Given the server `make run` starts: DEBUG off, collected static files, a user
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    run_target = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "DJANGO_DEBUG" not in run_target and "collectstatic" in run_target
    env = production_env(tmp_path, DJANGO_ALLOWED_HOSTS="127.0.0.1", **_makefile_run_env())
    for args in (
        ("migrate", "--noinput", "-v", "0"),
        ("collectstatic", "--noinput", "-v", "0"),
        (
            "shell",
            "-c",
            "from django.contrib.auth.models import User; User.objects.create_user('rita', password='pw-rita-1')",
        ),
    ):
        result = manage(env, *args)
        assert result.returncode == 0, result.stderr
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base), timeout=60, message="runserver to answer")
        # Then the app's and the admin's static files are served with DEBUG off
        for path, content_type in (
            ("/static/css/app.css", "text/css"),
            ("/static/vendor/htmx/htmx.min.js", "javascript"),
            ("/static/admin/css/base.css", "text/css"),
        ):
            with urllib.request.urlopen(base + path) as response:
                assert response.status == 200 and content_type in response.headers["Content-Type"]
        # And a user signs in over plain HTTP (the cookies are not Secure-only)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(base + "/accounts/login/") as response:
            assert "Secure" not in (response.headers["Set-Cookie"] or "")
        token = next(c.value for c in jar if c.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"username": "rita", "password": "pw-rita-1", "csrfmiddlewaretoken": token}
        ).encode()
        with opener.open(base + "/accounts/login/", data=form) as response:
            assert response.url == base + "/meetings/"
            assert "rita" in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=20)


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/accounts/login/", timeout=2):
            return True
    except OSError:
        return False
