"""{% meeting_deal_picker meeting %}: the meeting page's deal box, without the meetings app
importing deals (the template loads this tag)."""

from django import template

from deals import selectors
from meetings.selectors import meeting_can_set_outcome

register = template.Library()


@register.inclusion_tag("deals/_meeting_picker.html", takes_context=True)
def meeting_deal_picker(context, meeting):
    user = context["request"].user
    can_pick = meeting_can_set_outcome(user, meeting)
    return {
        "meeting": meeting,
        "deal": selectors.deal_for_meeting(meeting),
        "choices": selectors.deal_choices_for_meeting(user, meeting) if can_pick else [],
        "can_pick": can_pick,
        "csrf_token": context.get("csrf_token"),
    }
