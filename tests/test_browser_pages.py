"""The coaching pages in a real browser (Debian's Chromium via Playwright): a rep opens an
analysed meeting, clicks a moment and the player seeks there; a manager, in Japanese, opens the
team view and drills down to a rep and to a meeting. Screenshots go to test-artifacts/."""

import datetime

import pytest

from reviews.models import Target
from tests.browser import ARTIFACTS, CHROMIUM, shot, sign_in
from tests.coaching_pages import FAST_HASHERS, analysed_ja_meeting, scored_meeting

pytestmark = [
    pytest.mark.skipif(
        not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"
    ),
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _page(browser, locale):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    return context, context.new_page()


def test_rep_clicks_a_moment_and_the_player_seeks_there(browser, live_server, alice, carol, make_meeting):
    # Given an analysed Japanese meeting of alice's, with a comment from her manager
    meeting = analysed_ja_meeting(make_meeting, alice)
    from reviews.services import comment_create

    comment_create(author=carol, meeting=meeting, body="ここで事例を出したのは良いですね", segment_index=3)
    context, page = _page(browser, "en-US")
    try:
        sign_in(page, live_server, "alice")
        page.wait_for_url("**/meetings/")
        shot(page, "pages-meeting-list")
        # The notification bell shows the comment
        assert page.inner_text(".bell .badge") == "1"
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
        page.wait_for_selector("#waveform[data-ready=true]", timeout=15_000)
        assert page.locator("#waveform div").count() > 0
        shot(page, "pages-meeting-detail")
        # When she clicks the case-study moment
        mark = page.locator("mark.moment").nth(2)
        target = float(mark.get_attribute("data-time"))
        mark.click()
        # Then the player seeks there and plays
        page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {target}) < 1.0")
        # And a click on a line plays from the line's start
        line = page.locator(".segment").first
        line.locator(".speaker").click()
        page.wait_for_function("document.getElementById('player').currentTime < 1.0")
        # And she can mark a moment as not right
        page.locator("button.not-right").first.click()
        page.wait_for_selector("button.not-right.is-flagged")
        shot(page, "pages-meeting-flagged")
        # And she records that the deal was won, in place
        page.select_option("#outcome-select", "won")
        page.wait_for_selector("#meeting-outcome.outcome-won")
        meeting.refresh_from_db()
        assert meeting.outcome == "won"
        # And her trends page draws the charts
        page.goto(f"{live_server.url}/coaching/trends/?start=2026-08-01&end=2026-11-30")
        page.wait_for_selector("body[data-charts-ready=true]")
        shot(page, "pages-my-trends")
    finally:
        context.close()


def test_manager_opens_team_view_in_japanese_and_drills_down(
    browser,
    live_server,
    north,
    alice,
    bob,
    carol,
    make_meeting,
):
    # Given carol prefers Japanese, and her reps have scored meetings over twelve weeks
    carol.profile.language = "ja"
    carol.profile.save()
    alice.first_name, bob.first_name = "アリス", "ボブ"
    alice.save()
    bob.save()
    start = datetime.date(2026, 8, 3)
    for week in range(12):
        day = start + datetime.timedelta(weeks=week)
        scored_meeting(
            make_meeting,
            alice,
            day,
            asks=2,
            premature_proposals=week // 4,
            listening_window_customer_share=0.6,
            rep_talk_share=0.5,
            case_studies=1,
        )
        scored_meeting(
            make_meeting,
            bob,
            day,
            asks=1 + week % 2,
            premature_proposals=0,
            listening_window_customer_share=0.8 - 0.03 * week,
            rep_talk_share=0.45,
        )
    Target.objects.create(team=north, kpi="asks", value=2)
    from meetings.models import Meeting

    # alice's deals were won, bob's lost (as they recorded on the meeting pages)
    Meeting.objects.filter(owner=alice).update(outcome="won")
    Meeting.objects.filter(owner=bob).update(outcome="lost")
    meeting = analysed_ja_meeting(make_meeting, alice, title="山田商事 定例")
    context, page = _page(browser, "en-US")  # the browser says English; the profile wins
    try:
        sign_in(page, live_server, "carol")
        page.goto(f"{live_server.url}/coaching/team/?start=2026-08-01&end=2026-10-31")
        assert page.locator("html").get_attribute("lang") == "ja"
        assert "チーム" in page.inner_text("h1")
        rows = page.locator(".team-table tbody tr")
        assert rows.count() == 2
        assert page.locator("tr[data-rep=bob] .flag").count() == 1  # listening share dropping
        assert page.locator("tr[data-rep=alice] .flag").count() == 1  # premature proposals rising
        # And the won-against-lost comparison shows the clearer asks of the won deals
        assert "受注と失注の比較" in page.inner_text("#won-lost h2")
        assert page.locator("#won-lost tr.clear[data-kpi=asks]").count() == 1
        assert page.locator("#won-lost svg.won-lost rect").count() >= 2
        shot(page, "pages-team-ja")
        page.locator("#won-lost").screenshot(path=str(ARTIFACTS / "pages-team-won-lost-ja.png"))
        # When she drills down to alice
        page.click("tr[data-rep=alice] td a")
        page.wait_for_selector("body[data-charts-ready=true]")
        assert "アリス" in page.inner_text("h1")
        shot(page, "pages-rep-trends-ja")
        # And on to one of her meetings
        page.click(f"a[href='/meetings/{meeting.pk}/']")
        page.wait_for_selector(".transcript")
        assert "文字起こし" in page.inner_text(".transcript-card h2")
        # And comments on a line
        page.locator(".segment").nth(1).hover()
        page.locator(".segment").nth(1).locator(".comment-btn").last.click()
        page.fill("#comment-form textarea", "相槌のタイミングが良いです")
        page.click("#comment-form button[type=submit]")
        page.wait_for_selector(".line-comments")
        shot(page, "pages-meeting-ja-commented")
    finally:
        context.close()
