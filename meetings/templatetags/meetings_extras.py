from django import template
from django.utils.translation import gettext

from meetings.failures import meeting_failure_message

register = template.Library()


@register.filter
def timestamp(seconds) -> str:
    """0:03:25 style for long meetings, 3:25 for short ones."""
    total = int(float(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def duration(seconds) -> str:
    total = round(float(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return gettext("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return gettext("%(m)d min %(s)02d s") % {"m": minutes, "s": secs}
    return gettext("%(s)d s") % {"s": secs}


@register.filter
def percent(fraction) -> int:
    return round(100 * float(fraction or 0))


@register.filter
def error_message(meeting) -> str:
    """Why it failed, in the reader's language (made now from the stored code and params)."""
    return meeting_failure_message(meeting)
