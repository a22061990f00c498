"""In a real browser (Debian's Chromium driven by Playwright), against a live server and a real
worker: a rep signs in, uploads a recording, watches it progress, reads the transcript and
clicks a line to play from there. Screenshots land in test-artifacts/ to look at."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from meetings.models import Meeting
from tests.conftest import JFK_WAV

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make install)"
    ),
]


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("button[type=submit]")


@pytest.mark.worker
@pytest.mark.real_engine
def test_rep_uploads_watches_progress_and_plays_from_a_line(page, live_server, alice, celery_worker_process):
    sign_in(page, live_server, "alice")
    page.wait_for_url("**/meetings/")
    shot(page, "meetings-list")

    page.set_input_files(".upload-form input[name=files]", str(JFK_WAV))
    page.fill(".upload-form input[name=title]", "Inaugural call")
    page.select_option(".upload-form select[name=language]", "en")
    page.click(".upload-form button[type=submit]")
    page.wait_for_url("**/meetings/*/")
    status = page.locator("#meeting-status")
    assert status.get_attribute("data-status") in {
        "queued",
        "decoding",
        "transcribing",
        "attributing",
        "analysing",
        "done",
    }
    shot(page, "meeting-processing")

    # The page follows the worker without a reload from the user, then shows the transcript.
    page.wait_for_selector(".segment", timeout=240_000)
    shot(page, "meeting-transcript")
    assert "ask not what your country" in page.inner_text(".transcript").lower()
    meeting = Meeting.objects.get()
    assert meeting.status == "done"

    line = page.locator(".segment").last
    start = float(line.get_attribute("data-start"))
    line.click()
    page.wait_for_function("document.getElementById('player').currentTime > 0")
    position = page.evaluate("document.getElementById('player').currentTime")
    assert start <= position < start + 3


def test_rep_sees_why_a_file_was_refused(page, live_server, alice, tmp_path):
    bad = tmp_path / "photo.mp3"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    sign_in(page, live_server, "alice")
    page.wait_for_url("**/meetings/")
    page.set_input_files(".upload-form input[name=files]", str(bad))
    page.click(".upload-form button[type=submit]")
    page.wait_for_selector(".errorlist")
    shot(page, "upload-refused")
    assert "photo.mp3" in page.inner_text(".errorlist")
    assert Meeting.objects.count() == 0
