"""Experiments in a real browser (Debian's Chromium via Playwright) under the real CSP: a
manager, in Japanese, opens Experiments from the nav, starts one with the drawn half left
ticked, and reads its provisional page; a rep in it reads it without the per-rep table."""

import pytest

from tests.browser import CHROMIUM, shot, sign_in
from tests.coaching_pages import FAST_HASHERS
from tests.experiment_helpers import add_reps
from tests.test_browser_csp import _WATCH

pytestmark = [
    pytest.mark.skipif(
        not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"
    ),
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def test_manager_starts_an_experiment_in_japanese_and_a_rep_in_it_reads_it(
    browser, live_server, north, alice, bob, carol
):
    from experiments.models import Experiment

    add_reps(north, ["frank", "grace"])
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.add_init_script(_WATCH)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, live_server, "carol")
        page.wait_for_url("**/meetings/")
        page.click("nav >> text=実験")
        page.wait_for_selector("#new-experiment")
        page.click("#new-experiment")
        page.wait_for_selector("#experiment-form")
        assert page.locator("input[name=test_reps]:checked").count() == 2  # the drawn half
        page.fill("#id_title", "提案の前にお客様の課題を聞く")
        page.select_option("#id_behaviour", "asks")
        shot(page, "experiments-new-ja")
        page.locator("#experiment-form button").click()
        page.wait_for_selector("#experiment-results")
        assert "暫定" in page.inner_text("#experiment-results")
        assert "まだデータが足りません" in page.inner_text("#result-table")
        assert page.locator("#rep-table tbody tr").count() == 4
        shot(page, "experiments-detail-ja")
        experiment = Experiment.objects.get()
        assert experiment.assignment == "random"
        test_rep = experiment.arms.filter(arm="test").select_related("rep").first().rep

        context.clear_cookies()
        sign_in(page, live_server, test_rep.username)
        page.wait_for_url("**/meetings/")
        page.goto(f"{live_server.url}/experiments/{experiment.pk}/")
        assert page.inner_text("#my-arm") == "テストグループ"
        assert page.locator("#rep-table").count() == 0 and page.locator("#stop-experiment").count() == 0
        assert page.evaluate("window.__csp || []") == [] and errors == []
    finally:
        context.close()
