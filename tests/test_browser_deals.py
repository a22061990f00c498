"""Deals in a real browser (Debian's Chromium via Playwright): a manager, in Japanese, puts a
teammate's meeting into a new deal from the meeting page, records it won on the deal page, and
opens the evidence page; a rep of another team gets 404 for that deal."""

import datetime

import pytest

from tests.browser import CHROMIUM, shot, sign_in
from tests.coaching_pages import FAST_HASHERS

pytestmark = [
    pytest.mark.skipif(
        not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"
    ),
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def test_manager_puts_a_meeting_in_a_deal_closes_it_and_opens_the_evidence_page(
    browser, live_server, make_meeting, alice, carol, erin
):
    from deals.models import Deal

    meeting = make_meeting(
        alice, title="初回訪問", customer_name="山田商事", held_on=datetime.date(2026, 11, 2)
    )
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server, "carol")
        page.wait_for_url("**/meetings/")
        # When she names a new deal on alice's meeting
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
        page.fill("#deal-new-name", "基幹システム刷新")
        page.locator("#meeting-deal button").click()
        page.wait_for_selector("#meeting-deal-link")
        assert "基幹システム刷新" in page.inner_text("#meeting-deal")
        # Then the deal page lists the meeting, and she records the deal won
        page.click("#meeting-deal-link")
        page.wait_for_selector("#deal-meetings")
        assert "初回訪問" in page.inner_text("#deal-meetings")
        page.select_option("#id_outcome", "won")
        page.fill("#id_closed_on", "2026-11-30")
        page.locator("#deal-update button").click()
        page.wait_for_selector("#deal-outcome")
        assert page.inner_text("#deal-outcome") == "受注"
        shot(page, "deals-detail-ja")
        deal = Deal.objects.get(name="基幹システム刷新")
        assert (deal.owner, deal.outcome, deal.stage) == (alice, "won", "closed")
        # And the evidence page says there is not enough data yet, in Japanese
        page.click("text=受注につながる行動")
        page.wait_for_selector("#evidence-table")
        assert "まだデータが足りません" in page.inner_text("#evidence-table")
        shot(page, "deals-evidence-ja")
        # A rep of another team cannot open the deal
        context.clear_cookies()
        sign_in(page, live_server, "erin")
        page.wait_for_url("**/meetings/")
        response = page.goto(f"{live_server.url}/deals/{deal.pk}/")
        assert response is not None and response.status == 404
    finally:
        context.close()
