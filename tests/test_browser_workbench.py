"""The rule workbench in a real browser (Debian's Chromium via Playwright) with a real worker:
an admin teaches the rules a Kansai-dialect ask, tests it on a sentence, previews it on stored
meetings, publishes it, watches the rescore finish, and the rep's trend page counts the asks.
Screenshots go to test-artifacts/workbench-*.png."""

import pytest

from coaching.models import MeetingScore
from coaching.services import meeting_analyse
from meetings.models import Segment
from tests.browser import CHROMIUM, shot, sign_in
from tests.coaching_pages import FAST_HASHERS
from tests.workbench_helpers import ensure_default_rules

pytestmark = [
    pytest.mark.worker,
    pytest.mark.real_engine,
    pytest.mark.skipif(
        not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"
    ),
]

KANSAI_LINE = "ほな、ええ塩梅のもん見繕うてもらえまへんか？"
RULE_KEY = "ja-ask-kansai-mitsukurou"
RULE_PATTERN = "見繕うてもらえまへん|見繕うてくれへん"
OSAKA_CALL = [
    ("rep", "本日はお時間いただきありがとうございます。"),
    ("customer", "現場の打刻漏れが多うて、ほんま困ってますねん。"),
    ("rep", "なるほど、それは大変ですね。"),
    ("customer", KANSAI_LINE),
    ("rep", "はい、スタンダードプランをご提案します。"),
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _osaka_meeting(make_meeting, owner, title):
    meeting = make_meeting(owner, title=title, customer_name="浪速商会", language="ja")
    for i, (speaker, text) in enumerate(OSAKA_CALL):
        Segment.objects.create(
            meeting=meeting, index=i, start=i * 10.0, end=i * 10.0 + 9, text=text, speaker=speaker
        )
    meeting_analyse(meeting=meeting)
    return meeting


def _asks_on_trend_page(page) -> float:
    """The first KPI of the trend grid is customer asks per meeting."""
    return float(page.locator(".kpi-grid .kpi").first.locator(".kpi-number").inner_text())


def _trends(page, live_server):
    page.goto(f"{live_server.url}/coaching/trends/?start=2026-08-01&end=2026-11-30")
    page.wait_for_selector(".kpi-grid")


def test_admin_teaches_a_kansai_ask_and_the_reps_trend_counts_it(
    browser, live_server, admin_user, alice, make_meeting, celery_worker_process
):
    # Given the published default rules and two calls of alice's where an Osaka customer asks
    # for a proposal in Kansai dialect, which those rules do not recognise
    ensure_default_rules()
    meetings = [_osaka_meeting(make_meeting, alice, f"大阪商談 {n}") for n in (1, 2)]
    assert [MeetingScore.objects.get(meeting=m).asks for m in meetings] == [0, 0]
    rep_context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    admin_context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    try:
        rep = rep_context.new_page()
        sign_in(rep, live_server, "alice")
        rep.wait_for_url("**/meetings/")
        _trends(rep, live_server)
        asks_before = _asks_on_trend_page(rep)
        version_before = rep.inner_text(".rules-version")

        page = admin_context.new_page()
        sign_in(page, live_server, "admin")
        page.wait_for_url("**/meetings/")
        page.goto(f"{live_server.url}/workbench/")

        # The sentence tester says the published rules miss the Kansai ask
        tester = page.locator("#tester")
        tester.locator("input[name=text]").fill(KANSAI_LINE)
        tester.locator("select[name=speaker]").select_option("customer")
        tester.locator("button[type=submit]").click()
        page.wait_for_selector("#tester-result .no-match")

        # When the admin adds a phrase rule for it
        page.click("text=Add a rule")
        form = page.locator("#rule-form")
        form.locator("input[name=key]").fill(RULE_KEY)
        form.locator("select[name=behaviour]").select_option("customer_asks_for_proposal")
        form.locator("select[name=language]").select_option("ja")
        form.locator("select[name=kind]").select_option("phrase")
        form.locator("textarea[name=pattern]").fill(RULE_PATTERN)
        form.locator("select[name=speaker]").select_option("customer")
        shot(page, "workbench-rule-form")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#draft-dirty")
        assert page.locator(f"tr.rule[data-key={RULE_KEY}]").count() == 1

        # Then the tester shows the new rule firing on the sentence
        tester.locator("input[name=text]").fill(KANSAI_LINE)
        tester.locator("select[name=speaker]").select_option("customer")
        tester.locator("button[type=submit]").click()
        fired = page.wait_for_selector(f"#tester-result .fired-rule[data-rule={RULE_KEY}]")
        assert "見繕うてもらえまへん" in fired.inner_text()
        shot(page, "workbench-tester")

        # And the preview on stored meetings finds the customer's ask in both calls
        page.click("#preview-button")
        page.wait_for_selector("#preview-body[data-status=done]", timeout=60_000)
        row = page.locator("tr[data-behaviour=customer_asks_for_proposal]")
        assert row.locator(".added").inner_text() == "+2"
        hits = page.locator("li.hit")
        assert hits.count() == 2
        assert "見繕うてもらえまへん" in hits.first.locator("mark").inner_text()
        hits.first.locator("button.mark-right").click()
        page.wait_for_selector("li.hit .mark")
        assert "1 right of 1" in page.inner_text("#precision")
        shot(page, "workbench-preview")

        # When the admin publishes the draft with a comment
        page.goto(f"{live_server.url}/workbench/")
        page.fill("#publish-form input[name=comment]", "関西弁の相談（見繕うて…）を追加")
        page.click("#publish-button")
        page.wait_for_url("**/workbench/jobs/*/")
        # Then the rescore progress follows the worker to the end without a reload
        page.wait_for_selector("#rescore-progress[data-status=done]", timeout=120_000)
        assert "2 of 2 meetings" in page.inner_text("#rescore-progress")
        shot(page, "workbench-rescore-done")
        page.goto(f"{live_server.url}/workbench/versions/")
        assert "関西弁の相談" in page.inner_text("table.versions")
        shot(page, "workbench-versions")

        # And alice's trend page counts the asks, with the numbers from the new version
        _trends(rep, live_server)
        assert _asks_on_trend_page(rep) > asks_before
        version_after = rep.inner_text(".rules-version")
        assert version_after != version_before
        number = MeetingScore.objects.get(meeting=meetings[0]).rules_version
        assert f"version {number}" in version_after
        shot(rep, "workbench-rep-trends")
    finally:
        rep_context.close()
        admin_context.close()
    assert [MeetingScore.objects.get(meeting=m).asks for m in meetings] == [1, 1]
