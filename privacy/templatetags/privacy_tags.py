"""The meeting page's privacy notices: what retention removed, and the consent notice."""

from typing import Any

from django import template

from privacy import selectors

register = template.Library()


@register.simple_tag
def meeting_redaction(meeting):
    """What retention removed from this meeting (None: nothing)."""
    return selectors.redaction_for_meeting(meeting)


@register.inclusion_tag("privacy/_meeting_privacy.html")
def meeting_privacy(meeting, redaction) -> dict[str, Any]:
    return {"meeting": meeting, "redaction": redaction, "consent": selectors.consent_for_meeting(meeting)}
