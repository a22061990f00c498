"""Thin views: parse the request, call one service or selector, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import TooManyFilesSent
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meetings import selectors, services
from meetings.audio import AudioError
from meetings.forms import MeetingUploadForm
from meetings.media import private_file_response
from meetings.models import Meeting
from meetings.speakers import TranscriptImportError


@login_required
def meeting_list(request):
    if request.method == "POST":
        return _upload(request)
    return render(
        request,
        "meetings/list.html",
        {"meetings": selectors.meeting_list_for_user(request.user)[:200], "form": MeetingUploadForm()},
    )


def _upload(request):
    try:
        form = MeetingUploadForm(request.POST, request.FILES)
    except TooManyFilesSent:
        # Django's guard refused the post before the form saw it: say so on the form.
        form = MeetingUploadForm()
        form.add_error(
            None,
            _("Upload at most %(count)d files at once.") % {"count": settings.AIZUCHI_MAX_FILES_PER_UPLOAD},
        )
        meetings = selectors.meeting_list_for_user(request.user)[:200]
        return render(request, "meetings/list.html", {"meetings": meetings, "form": form}, status=400)
    oversized = getattr(request, "oversized_uploads", [])
    for name in oversized:
        form.add_error(None, _("%(name)s is larger than the upload limit.") % {"name": name})
    if not form.is_valid() or (oversized and not form.cleaned_data.get("files")):
        meetings = selectors.meeting_list_for_user(request.user)[:200]
        return render(request, "meetings/list.html", {"meetings": meetings, "form": form}, status=400)

    files = form.cleaned_data["files"]
    created, rejected = [], []
    for uploaded in files:
        try:
            created.append(
                services.meeting_create_from_upload(
                    owner=request.user,
                    uploaded_file=uploaded,
                    title=form.cleaned_data["title"],
                    held_on=form.cleaned_data["held_on"],
                    customer_name=form.cleaned_data["customer_name"],
                    language=form.cleaned_data["language"],
                    file_count=len(files),
                )
            )
        except (AudioError, TranscriptImportError) as error:
            rejected.append((uploaded.name, error.message))
    for meeting in created:
        messages.success(request, _("%(title)s was uploaded and is queued.") % {"title": meeting.title})
    if rejected or oversized:
        for name, reason in rejected:
            form.add_error(None, f"{name}: {reason}")
        meetings = selectors.meeting_list_for_user(request.user)[:200]
        return render(request, "meetings/list.html", {"meetings": meetings, "form": form}, status=400)
    if len(created) == 1:
        return redirect("meetings:detail", meeting_id=created[0].pk)
    return redirect("meetings:list")


@login_required
@require_GET
def meeting_detail(request, meeting_id: int):
    meeting = selectors.meeting_get_for_user(request.user, meeting_id)
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "segments": selectors.segments_for_meeting(meeting),
            "can_edit": selectors.meeting_can_edit(request.user, meeting),
            "can_set_outcome": selectors.meeting_can_set_outcome(request.user, meeting),
            "outcomes": Meeting.Outcome.choices,
            "can_fix_speakers": selectors.meeting_can_fix_speakers(request.user, meeting),
        },
    )


@login_required
@require_GET
def meeting_status(request, meeting_id: int):
    meeting = selectors.meeting_get_for_user(request.user, meeting_id)
    response = render(request, "meetings/detail.html#status", {"meeting": meeting})
    if meeting.is_finished and request.GET.get("polling"):
        response["HX-Refresh"] = "true"  # the transcript (or the retry button) needs the full page
    return response


@login_required
@require_GET
def meeting_audio(request, meeting_id: int):
    meeting = selectors.meeting_get_for_user(request.user, meeting_id)
    if not meeting.audio:  # an imported transcript has no recording
        raise Http404("This meeting has no recording.")
    return private_file_response(request, meeting.audio.name or "", download_name=meeting.original_filename)


@login_required
@require_POST
def meeting_retry(request, meeting_id: int):
    meeting = selectors.meeting_get_for_user(request.user, meeting_id)
    if not selectors.meeting_can_edit(request.user, meeting):
        raise Http404
    services.meeting_retry(meeting=meeting)
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_outcome(request, meeting_id: int):
    """Record how the deal went; htmx swaps the widget in place, a plain form post redirects."""
    meeting = selectors.meeting_get_for_user(request.user, meeting_id)
    if not selectors.meeting_can_set_outcome(request.user, meeting):
        raise Http404
    outcome = request.POST.get("outcome", "")
    if outcome not in {"", *Meeting.Outcome.values}:
        return HttpResponseBadRequest(_("Choose won, lost, in progress or not recorded."))
    services.meeting_outcome_set(meeting=meeting, outcome=outcome)
    if request.htmx:
        return render(
            request,
            "meetings/detail.html#outcome",
            {"meeting": meeting, "can_set_outcome": True, "outcomes": Meeting.Outcome.choices},
        )
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_delete(request, meeting_id: int):
    meeting = selectors.meeting_get_for_user(request.user, meeting_id)
    if not selectors.meeting_can_edit(request.user, meeting):
        raise Http404
    title = meeting.title
    services.meeting_delete(meeting=meeting)
    messages.success(request, _("%(title)s was deleted.") % {"title": title})
    return redirect("meetings:list")
