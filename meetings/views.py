"""Thin views: parse the request, call one service or selector, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import TooManyFilesSent
from django.db import transaction
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


def _consent_form(request, data=None):
    """The upload's consent notice (privacy app): required where the uploader's team says so."""
    from privacy.forms import ConsentForm
    from privacy.selectors import consent_required_for

    return ConsentForm(data, required=consent_required_for(request.user))


def _list_page(request, form, consent_form, *, status: int = 200):
    meetings = selectors.meeting_list_for_user(request.user)[:200]
    context = {"meetings": meetings, "form": form, "consent_form": consent_form}
    return render(request, "meetings/list.html", context, status=status)


@login_required
def meeting_list(request):
    if request.method == "POST":
        return _upload(request)
    return _list_page(request, MeetingUploadForm(), _consent_form(request))


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
        return _list_page(request, form, _consent_form(request), status=400)
    consent_form = _consent_form(request, request.POST)
    oversized = getattr(request, "oversized_uploads", [])
    for name in oversized:
        form.add_error(None, _("%(name)s is larger than the upload limit.") % {"name": name})
    consent_ok = consent_form.is_valid()
    if not form.is_valid() or not consent_ok or (oversized and not form.cleaned_data.get("files")):
        return _list_page(request, form, consent_form, status=400)

    from privacy.services import meeting_consent_record

    files = form.cleaned_data["files"]
    notice = consent_form.notice_or_none()
    created, rejected = [], []
    for uploaded in files:
        try:
            with transaction.atomic():
                meeting = services.meeting_create_from_upload(
                    owner=request.user,
                    uploaded_file=uploaded,
                    title=form.cleaned_data["title"],
                    held_on=form.cleaned_data["held_on"],
                    customer_name=form.cleaned_data["customer_name"],
                    language=form.cleaned_data["language"],
                    file_count=len(files),
                )
                if notice is not None:
                    meeting_consent_record(
                        meeting=meeting,
                        told_whom=notice.told_whom,
                        told_on=notice.told_on or meeting.held_on,
                        method=notice.method,
                        recorded_by=request.user,
                    )
            created.append(meeting)
        except (AudioError, TranscriptImportError) as error:
            rejected.append((uploaded.name, error.message))
    for meeting in created:
        messages.success(request, _("%(title)s was uploaded and is queued.") % {"title": meeting.title})
    if rejected or oversized:
        for name, reason in rejected:
            form.add_error(None, f"{name}: {reason}")
        return _list_page(request, form, consent_form, status=400)
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
    from privacy.services import erasure_by  # the audit row names who deleted it

    title = meeting.title
    reason = "deleted by its owner" if meeting.owner_id == request.user.pk else "deleted by an admin"
    with erasure_by(request.user, reason):
        services.meeting_delete(meeting=meeting)
    messages.success(request, _("%(title)s was deleted.") % {"title": title})
    return redirect("meetings:list")
