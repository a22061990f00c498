"""Response headers and markup that keep the Content-Security-Policy strict: the policy has no
'unsafe-inline' or eval, no template carries inline script, handlers or style attributes (a
browser would refuse them), and the moment colours that moved to CSS match the Python ones.
Pages shown to a signed-in user are never stored by a browser or proxy (Cache-Control)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from coaching.templatetags.coaching_tags import BEHAVIOURS

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_given_any_page_then_its_policy_allows_only_our_own_scripts_and_styles(client):
    response = client.get(reverse("login"))
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"  # a nonce only where a page asks for one
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_given_the_templates_then_none_has_inline_script_handlers_or_style_attributes():
    offences = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\ssrc=)[^>]*>", r"\son[a-z]+\s*=", r"\sstyle\s*=", r"javascript:"):
            offences += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offences == []


def test_given_the_moment_colours_then_the_stylesheet_has_each_behaviours_colour():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text(encoding="utf-8")
    for key, (_label, colour) in BEHAVIOURS.items():
        assert f'[data-behaviour="{key}"] {{ --c: {colour}; }}' in css, key


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_given_a_signed_in_rep_then_no_page_with_customer_data_may_be_stored(client, alice, make_meeting):
    meeting = make_meeting(alice, title="ACME renewal", customer_name="ACME")
    client.force_login(alice)
    for url in (
        reverse("meetings:list"),
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("meetings:status", args=[meeting.pk]),
        reverse("coaching:trends"),
        reverse("coaching:peaks", args=[meeting.pk]),
        reverse("reviews:notifications"),
        reverse("meetings:audio", args=[meeting.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response.get("Cache-Control"))


def test_given_a_signed_in_manager_then_the_team_page_and_its_csv_export_are_not_stored(client, carol, alice):
    client.force_login(carol)
    for url in (reverse("coaching:team"), reverse("coaching:meetings_csv")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_given_a_signed_in_user_then_static_files_stay_cacheable(client, alice):
    client.force_login(alice)
    response = client.get(settings.STATIC_URL + "css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
