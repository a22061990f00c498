"""An admin adds a webhook endpoint in Chromium under the real CSP and sends it a test event
(delivered eagerly by the live server's thread to a receiver on loopback)."""

from pathlib import Path

import pytest

from integrations import signing
from integrations.models import Delivery, WebhookEndpoint
from tests.browser import CHROMIUM
from tests.coaching_pages import FAST_HASHERS
from tests.test_browser_csp import Visitor
from tests.test_webhooks import eager_tasks  # noqa: F401  (a fixture)
from tests.webhook_helpers import http_server

pytestmark = [pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]


@pytest.mark.usefixtures("eager_tasks")
def test_admin_adds_an_endpoint_and_sends_a_test_event_in_the_browser(
    browser, live_server, admin_user, settings
):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    admin = Visitor(browser, live_server, "admin")
    page = admin.page
    with http_server() as receiver:
        try:
            admin.visit("/integrations/webhooks/", "#new-endpoint")
            page.fill("input[name=url]", receiver.url + "/in")
            page.fill("input[name=description]", "Data team")
            page.check("input[name=events][value='meeting.analysed']")
            page.click("#new-endpoint button")
            page.wait_for_selector("details#secret[open]")
            admin.assert_clean("new endpoint")
            endpoint = WebhookEndpoint.objects.get()
            assert page.inner_text("details#secret code") == endpoint.secret
            page.click("text=Send a test event")
            page.wait_for_selector("#delivery-table tr[data-status=succeeded]")
            admin.assert_clean("test event")
            delivery = Delivery.objects.get()
            admin.visit(f"/integrations/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/", "#attempt-table")
        finally:
            admin.close()
    (request,) = receiver.requests
    assert signing.verify(endpoint.secret, request.body, request.headers["Aizuchi-Signature"])
