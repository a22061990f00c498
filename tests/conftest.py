"""Shared personas and fixtures.

Team North: alice and bob are reps, carol manages them. Team South: dave manages erin.
admin is Django staff. Audio fixtures are real files copied into tests/data with provenance.
"""

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from accounts.models import Profile, Team
from tests.s3 import moto_server, s3_storage  # noqa: F401  (fixtures: a loopback S3 server)


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the settings' language: a page rendered in Japanese by the test
    before (the locale middleware activates the reader's language on the test's thread) must
    not make the next test's messages Japanese."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


DATA = Path(__file__).parent / "data"
JFK_WAV = DATA / "jfk" / "jfk.wav"


def make_user(username: str, team: Team | None, role=Profile.Role.REP, is_staff=False):
    user = get_user_model().objects.create_user(
        username=username, password="pw-" + username, is_staff=is_staff
    )
    Profile.objects.filter(user=user).update(team=team, role=role)
    user.refresh_from_db()
    return user


@pytest.fixture
def north(db):
    return Team.objects.create(name="North")


@pytest.fixture
def south(db):
    return Team.objects.create(name="South")


@pytest.fixture
def alice(north):
    return make_user("alice", north)


@pytest.fixture
def bob(north):
    return make_user("bob", north)


@pytest.fixture
def carol(north):
    return make_user("carol", north, role=Profile.Role.MANAGER)


@pytest.fixture
def dave(south):
    return make_user("dave", south, role=Profile.Role.MANAGER)


@pytest.fixture
def erin(south):
    return make_user("erin", south)


@pytest.fixture
def admin_user(db):
    return make_user("admin", None, is_staff=True)


@pytest.fixture
def make_meeting():
    """A stored meeting with a small real recording, without running the pipeline."""
    from meetings.models import Meeting

    def _make(owner, *, title="Meeting", status=Meeting.Status.DONE, audio: Path = JFK_WAV, **fields):
        meeting = Meeting(
            owner=owner,
            team_id=owner.profile.team_id,
            title=title,
            held_on=fields.pop("held_on", datetime.date(2026, 11, 2)),
            original_filename=audio.name,
            size_bytes=audio.stat().st_size,
            status=status,
            **fields,
        )
        meeting.audio.save(audio.name, ContentFile(audio.read_bytes()), save=False)
        meeting.save()
        return meeting

    return _make


def _database_url_for_worker() -> str:
    """The test database as a URL, so a worker process started by a test writes where the test reads."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real Celery worker process on the configured broker (filesystem by default, Redis on
    the scale path), consuming every queue, against the test database."""
    env = dict(os.environ)
    env["DATABASE_URL"] = _database_url_for_worker()
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    log = tmp_path / "worker.log"
    _purge_broker()
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "aizuchi",
                "worker",
                "-Q",
                "transcription,analysis,integrations",
                "-c",
                "1",
                "--loglevel",
                "INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        _stop_process_group(process)
        print(log.read_text()[-4000:])


def _stop_process_group(process: subprocess.Popen) -> None:
    """Stop the worker and its pool children; a test may have killed it already."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _purge_broker() -> None:
    from aizuchi.celery import app

    with app.connection_for_write() as connection:
        for queue in ("transcription", "analysis", "integrations"):
            with contextlib.suppress(Exception):  # the queue does not exist yet
                connection.default_channel.queue_purge(queue)


def wait_for(predicate, *, timeout: float, interval: float = 0.5, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {message}")


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """One headless Chromium for the whole run, shared by every browser test."""
    from django.db import connections

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    # Once Playwright runs, tests see other database connection objects (a new context):
    # hand them the snapshot serialized rollback restores from.
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_TRANSACTIONAL = {"transactional_db", "live_server", "celery_worker_process"}


def pytest_collection_modifyitems(items):
    """Tests that commit (a live server, a real worker) end by emptying every table, which
    would also remove what data migrations installed (the default rule set); serialized
    rollback puts it back for the tests that follow."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None or not _TRANSACTIONAL & set(names):
            continue
        # First in line, so the database is set up transactional before any persona fixture
        # asks for `db`.
        for name in ("django_db_serialized_rollback", "transactional_db"):
            if name in names:
                names.remove(name)
            names.insert(0, name)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """A MEDIA_ROOT of the test's own, so "no file left" means exactly that (privacy tests)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root
