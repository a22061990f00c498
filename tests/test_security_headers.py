"""Response headers and markup that keep the Content-Security-Policy strict: the policy has no
'unsafe-inline' or eval, no template carries inline script, handlers or style attributes (a
browser would refuse them), and the moment colours that moved to CSS match the Python ones."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from coaching.templatetags.coaching_tags import BEHAVIOURS

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
