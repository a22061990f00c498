"""The CRM import in a real browser (Debian's Chromium via Playwright): a manager, in Japanese,
uploads a HubSpot export saved by Japanese Excel (Shift_JIS), reads the preview, imports it, and
finds the deals with their meetings; a rep finds no way in."""

import datetime

import pytest

from tests.browser import CHROMIUM, shot, sign_in
from tests.coaching_pages import FAST_HASHERS
from tests.conftest import DATA

pytestmark = [
    pytest.mark.skipif(
        not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"
    ),
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def test_manager_previews_and_imports_a_shift_jis_hubspot_export(
    browser, live_server, make_meeting, alice, bob, carol
):
    from deals.models import Deal, DealMeeting

    alice.email = "alice@example.com"
    alice.save()
    first = make_meeting(
        alice, title="初回訪問", customer_name="ミナト工業", held_on=datetime.date(2026, 9, 10)
    )
    make_meeting(alice, title="追加の相談", customer_name="ミナト工業㈱", held_on=datetime.date(2026, 10, 10))
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server, "carol")
        page.wait_for_url("**/meetings/")
        page.goto(f"{live_server.url}/deals/")
        page.click("#crm-import-link")
        page.set_input_files("input[name=file]", str(DATA / "crm" / "hubspot_deals_cp932.csv"))
        page.locator("#crm-upload button").click()
        page.wait_for_selector("#crm-preview")
        # Then the preview says what will happen, and nothing is saved yet
        assert "HubSpot" in page.inner_text("#crm-preview")
        assert "4 件の案件を作成、0 件を更新、1 件の商談を紐付けます" in page.inner_text("#crm-summary")
        assert "初回訪問" in page.inner_text("tr[data-crm-id='9001']")
        assert "追加の相談" in page.inner_text("#crm-ambiguous")
        assert "認識できない段階" in page.inner_text("tr[data-crm-id='9004']")
        shot(page, "crm-import-preview-ja")
        assert not Deal.objects.exists()
        # When she imports
        page.click("#crm-confirm")
        page.wait_for_selector("#deal-table")
        assert "取り込みました" in page.inner_text(".messages")
        assert Deal.objects.count() == 4
        assert DealMeeting.objects.get(meeting=first).deal.crm_id == "9001"
        assert "新規導入" in page.inner_text("#deal-table")
        # A rep sees no import link and gets 404 for the page
        context.clear_cookies()
        sign_in(page, live_server, "alice")
        page.wait_for_url("**/meetings/")
        page.goto(f"{live_server.url}/deals/")
        assert page.locator("#crm-import-link").count() == 0
        response = page.goto(f"{live_server.url}/deals/import/")
        assert response is not None and response.status == 404
    finally:
        context.close()
