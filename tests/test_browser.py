"""In a real browser (Debian's Chromium driven by Playwright), against a live server and a real
worker: a rep signs in, uploads a recording, watches it progress, reads the transcript and
clicks a line to play from there. Screenshots land in test-artifacts/ to look at."""

import os
from pathlib import Path

import pytest

from meetings.models import Meeting
from tests.browser import CHROMIUM, shot, sign_in
from tests.conftest import JFK_WAV

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make install)"
    ),
]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    context.close()


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
