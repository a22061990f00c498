from django import template

from reviews.selectors import notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """One COUNT per page, for the bell in the top bar."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return notification_unread_count(user) if user is not None else 0
