"""Every main page in Debian's Chromium under the real Content-Security-Policy (no
'unsafe-inline', no eval): each persona walks their pages, nothing is refused by the policy
(no `securitypolicyviolation` event, no console error), and the page's interactive parts,
which moved from inline handlers to static files, still work. No page is cacheable."""

from pathlib import Path

import pytest

from coaching.templatetags.coaching_tags import BEHAVIOURS
from meetings.models import Meeting, Segment
from tests.browser import CHROMIUM, shot, sign_in
from tests.coaching_pages import FAST_HASHERS, analysed_ja_meeting
from tests.conftest import JFK_WAV

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

# Registered before any page script runs; the events bubble out of shadow roots too.
_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
}, true);
"""


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


class Visitor:
    """A signed-in browser that fails on any CSP violation or script error it sees."""

    def __init__(self, browser, live_server, username: str):
        self.context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        self.context.add_init_script(_WATCH)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.base = live_server.url
        sign_in(self.page, live_server, username)
        self.page.wait_for_url("**/meetings/")

    def _console(self, message) -> None:
        if message.type == "error" and "favicon.ico" not in (message.location or {}).get("url", ""):
            self.errors.append(f"console: {message.text}")

    def visit(self, path: str, ready: str = "main") -> None:
        self.assert_clean()
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, path
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "no-store" in response.headers.get("cache-control", ""), path
        self.page.wait_for_selector(ready)
        self.assert_clean(path)

    def assert_clean(self, where: str = "") -> None:
        violations = self.page.evaluate("window.__csp || []")
        assert violations == [], f"{where}: {violations}"
        assert self.errors == [], f"{where}: {self.errors}"

    def forget_refused_upload(self) -> None:
        """The browser logs the 400 of a refused upload as a failed load: that one is expected."""
        self.errors = [e for e in self.errors if "status of 400" not in e]

    def close(self) -> None:
        self.context.close()


def test_rep_walks_her_pages_without_a_csp_violation_and_they_still_work(
    browser, live_server, alice, carol, make_meeting, monkeypatch, tmp_path
):
    # Given an analysed meeting of alice's with a comment from carol, and no worker (uploads
    # are recorded, not processed)
    queued: list[int] = []
    monkeypatch.setattr("meetings.services.meeting_enqueue", lambda *, meeting_id: queued.append(meeting_id))
    meeting = analysed_ja_meeting(make_meeting, alice)
    from reviews.services import comment_create

    comment_create(author=carol, meeting=meeting, body="Good case study", segment_index=3)
    alice_page = Visitor(browser, live_server, "alice")
    page = alice_page.page
    try:
        # The meeting list / upload form: a refused file comes back with its error (the
        # upload script rewrites the page), a good one leads to the new meeting's page
        alice_page.visit("/meetings/", ".upload-form")
        bad = tmp_path / "notes.mp3"
        bad.write_bytes(b"not audio at all" * 100)
        page.set_input_files(".upload-form input[name=files]", str(bad))
        page.click(".upload-form button[type=submit]")
        page.wait_for_selector(".errorlist")
        assert "notes.mp3" in page.inner_text(".errorlist")
        alice_page.forget_refused_upload()
        alice_page.visit("/meetings/", ".upload-form")
        page.set_input_files(".upload-form input[name=files]", str(JFK_WAV))
        page.fill(".upload-form input[name=title]", "Uploaded under CSP")
        page.click(".upload-form button[type=submit]")
        page.wait_for_url("**/meetings/*/")
        uploaded = Meeting.objects.get(title="Uploaded under CSP")
        assert queued == [uploaded.pk]
        alice_page.assert_clean("after upload")

        # The meeting page: the waveform draws (its style carries the nonce), moments have
        # their behaviour's colour, a click on a moment seeks the player there
        alice_page.visit(f"/meetings/{meeting.pk}/", "#waveform[data-ready=true]")
        colours = page.locator("mark.moment").evaluate_all(
            "marks => marks.map(m => [m.dataset.behaviour, getComputedStyle(m).getPropertyValue('--c').trim()])"
        )
        assert len(colours) >= 3
        assert all(colour == BEHAVIOURS[key][1] for key, colour in colours), colours
        mark = page.locator("mark.moment").nth(2)
        target = float(mark.get_attribute("data-time"))
        mark.click()
        page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {target}) < 1.0")
        # And the deal outcome still saves in place (htmx, without eval)
        page.select_option("#outcome-select", "won")
        page.wait_for_selector("#meeting-outcome.outcome-won")
        # And deleting asks first: dismissed, the meeting stays
        page.once("dialog", lambda dialog: dialog.dismiss())
        page.click("form[data-confirm] button")
        page.wait_for_timeout(300)
        assert Meeting.objects.filter(pk=meeting.pk).exists()
        alice_page.assert_clean("meeting page")
        shot(page, "csp-meeting")

        # Fixing a speaker sends the form on change
        line = Segment.objects.get(meeting=meeting, index=0)
        alice_page.visit(f"/meetings/{meeting.pk}/speakers/", ".speakers-edit")
        with page.expect_navigation():
            page.select_option(f"#segment-{line.pk} select[name=speaker]", "rep")
        line.refresh_from_db()
        assert line.speaker == "rep"

        alice_page.visit("/coaching/trends/?start=2026-08-01&end=2026-11-30", "body[data-charts-ready=true]")
        alice_page.visit("/meetings/voice/", "#voice")
        alice_page.visit("/privacy/", "#retention-policy")
        alice_page.visit("/reviews/notifications/")

        # And the language picker switches the interface on change
        with page.expect_navigation():
            page.select_option("select[name=language]", "ja")
        page.wait_for_selector("html[lang=ja]")
        alice_page.assert_clean("after switching language")
    finally:
        alice_page.close()


def test_manager_and_admin_walk_their_pages_without_a_csp_violation(
    browser, live_server, alice, carol, admin_user, make_meeting
):
    meeting = analysed_ja_meeting(make_meeting, alice, with_wav=False)
    manager = Visitor(browser, live_server, "carol")
    try:
        manager.visit("/coaching/team/", ".team-table")
        manager.visit(f"/coaching/trends/?rep={alice.pk}", "body[data-charts-ready=true]")
        manager.visit("/coaching/targets/", ".targets-table")
        manager.visit(f"/meetings/{meeting.pk}/", ".transcript")
    finally:
        manager.close()

    admin = Visitor(browser, live_server, "admin")
    page = admin.page
    try:
        # The workbench's sentence tester answers in place (htmx)
        admin.visit("/workbench/", "#tester")
        page.fill("#tester input[name=text]", "御社の事例を教えていただけますか？")
        page.click("#tester button[type=submit]")
        page.wait_for_selector("#tester-result .normalised")
        admin.assert_clean("sentence tester")
        for path in (
            "/workbench/rules/new/",
            "/workbench/versions/",
            "/workbench/accuracy/",
            "/workbench/audit/",
            f"/workbench/label/{meeting.pk}/",
            "/reviews/feedback/",
            "/admin/",
            "/admin/password_change/",
        ):
            admin.visit(path)
    finally:
        admin.close()
