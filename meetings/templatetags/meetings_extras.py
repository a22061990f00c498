from django import template
from django.utils.translation import gettext

from meetings.recovery import WORKER_LOST_CODE, WORKER_LOST_MESSAGE
from meetings.services import INTERNAL_ERROR_CODE, INTERNAL_ERROR_MESSAGE

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
    """The stored sentence (written in the owner's language when the step failed)."""
    if meeting.error_code == INTERNAL_ERROR_CODE:
        return str(INTERNAL_ERROR_MESSAGE)
    if meeting.error_code == WORKER_LOST_CODE:
        return str(WORKER_LOST_MESSAGE)
    return meeting.error
