"""Thin views for comments, notifications and "not right" feedback."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from meetings.selectors import meeting_get_for_user
from reviews import selectors, services
from reviews.forms import CommentForm


def _comments_context(request, meeting, form=None):
    return {
        "meeting": meeting,
        "comments": selectors.comment_list_for_meeting(meeting),
        "comment_form": form or CommentForm(),
    }


@login_required
@require_GET
def comment_list(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id)
    return render(request, "reviews/comments.html#thread", _comments_context(request, meeting))


@login_required
@require_POST
def comment_create(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id)
    form: CommentForm | None  # None once the comment is saved
    form = CommentForm(request.POST)
    if form.is_valid():
        moment = None
        if form.cleaned_data["moment_id"]:
            moment = meeting.moments.filter(pk=form.cleaned_data["moment_id"]).first()
            if moment is None:
                raise Http404
        try:
            services.comment_create(
                author=request.user,
                meeting=meeting,
                body=form.cleaned_data["body"],
                segment_index=form.cleaned_data["segment_index"],
                moment=moment,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = None
    if not request.htmx:
        if form is not None:
            return HttpResponseBadRequest(form.errors.as_text())
        return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#comments")
    response = render(request, "reviews/comments.html#thread", _comments_context(request, meeting, form))
    if form is not None:
        response.status_code = 400
    return response


@login_required
@require_POST
def moment_not_right(request, meeting_id: int, moment_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id)
    moment = meeting.moments.filter(pk=moment_id).first()
    if moment is None:
        raise Http404
    try:
        flagged = services.moment_feedback_toggle(
            user=request.user, meeting=meeting, moment=moment, note=request.POST.get("note", "")
        )
    except PermissionDenied:
        raise Http404 from None
    if not request.htmx:
        return redirect(reverse("meetings:detail", args=[meeting.pk]) + f"#moment-{moment.pk}")
    return render(
        request,
        "reviews/not_right.html",
        {"meeting": meeting, "moment": moment, "flagged": flagged, "can_flag": True},
    )


@login_required
@require_GET
def notification_list(request):
    notifications = selectors.notification_list_for_user(request.user)
    response = render(request, "reviews/notifications.html", {"notifications": notifications})
    services.notification_mark_read(user=request.user)
    return response


@login_required
@require_GET
def feedback_list(request):
    if not request.user.is_staff:
        raise Http404
    rows = selectors.moment_feedback_list_for_admin(
        request.user, behaviour_key=request.GET.get("behaviour", ""), rule_key=request.GET.get("rule", "")
    )[:500]
    return render(request, "reviews/feedback.html", {"rows": rows})
