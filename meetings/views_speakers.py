"""Speaker views: swap or reassign speakers, map an imported transcript's names, voice enrolment.

Thin, like views.py: each loads the meeting through the access-scoped selector, checks who may
change it, calls one service and redirects. Who may fix speakers: selectors.meeting_can_fix_speakers.
"""

from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meetings import selectors, speaker_fixes, transcript_import, voices
from meetings.audio import AudioError
from meetings.forms import SpeakerMappingForm, VoiceEnrolmentForm
from meetings.media import private_file_response
from meetings.models import Meeting


def _meeting_to_fix(request, meeting_id: int) -> Meeting:
    meeting = selectors.meeting_get_for_user(request.user, meeting_id)
    if not selectors.meeting_can_fix_speakers(request.user, meeting):
        raise Http404
    return meeting


@login_required
@require_POST
def meeting_speakers_swap(request, meeting_id: int):
    meeting = _meeting_to_fix(request, meeting_id)
    if meeting.status != Meeting.Status.DONE:
        raise Http404
    speaker_fixes.meeting_speakers_swap(meeting=meeting)
    messages.success(request, _("Rep and customer were swapped. The moments are being found again."))
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_speakers_confirm(request, meeting_id: int):
    meeting = _meeting_to_fix(request, meeting_id)
    speaker_fixes.meeting_speakers_confirm(meeting=meeting)
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
@require_http_methods(["GET"])
def meeting_speakers_edit(request, meeting_id: int):
    """Every segment with its speaker, each one reassignable."""
    meeting = _meeting_to_fix(request, meeting_id)
    return render(
        request,
        "meetings/speakers_edit.html",
        {"meeting": meeting, "segments": selectors.segments_for_meeting(meeting)},
    )


@login_required
@require_POST
def segment_speaker_set(request, meeting_id: int, segment_id: int):
    meeting = _meeting_to_fix(request, meeting_id)
    if meeting.status != Meeting.Status.DONE:
        raise Http404
    segment = selectors.segment_get_for_user(request.user, meeting, segment_id)
    speaker = request.POST.get("speaker", "")
    if speaker not in ("rep", "customer"):
        messages.error(request, _("Choose rep or customer."))
    else:
        speaker_fixes.segment_speaker_set(segment=segment, speaker=speaker)
    return redirect(reverse("meetings:speakers_edit", args=[meeting.pk]) + f"#segment-{segment.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_speaker_mapping(request, meeting_id: int):
    """Which speaker names of an imported transcript are the rep; remembered on the meeting."""
    meeting = _meeting_to_fix(request, meeting_id)
    names = selectors.speaker_names_for_meeting(meeting)
    if not names:
        raise Http404
    form = SpeakerMappingForm(request.POST or None, names=names, initial_mapping=meeting.speaker_mapping)
    if request.method == "POST" and form.is_valid():
        transcript_import.meeting_speakers_map(meeting=meeting, mapping=form.mapping())
        messages.success(request, _("Speakers are mapped. The moments are being found."))
        return redirect("meetings:detail", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/speaker_mapping.html",
        {"meeting": meeting, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def voice_enrolment(request):
    """The rep's own voice clip: upload, replace (upload again) or delete."""
    enrolment = selectors.enrolment_for_user(request.user)
    form = VoiceEnrolmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            voices.voice_enrolment_set(user=request.user, uploaded_file=form.cleaned_data["clip"])
        except AudioError as error:
            form.add_error("clip", error.message)
        except voices.VoiceEnrolmentError as error:
            form.add_error("clip", str(error))
        else:
            messages.success(request, _("Your voice was saved. New one-channel recordings use it."))
            return redirect("meetings:voice")
    return render(
        request,
        "meetings/voice_enrolment.html",
        {"enrolment": enrolment, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def voice_enrolment_delete(request):
    voices.voice_enrolment_delete(user=request.user)
    messages.success(request, _("Your voice enrolment was deleted."))
    return redirect("meetings:voice")


@login_required
@require_http_methods(["GET"])
def voice_enrolment_clip(request):
    """The user's own clip, to listen to; nobody else's."""
    enrolment = selectors.enrolment_for_user(request.user)
    if enrolment is None or not enrolment.clip:
        raise Http404
    name = enrolment.clip.name or ""
    return private_file_response(request, name, download_name=PurePosixPath(name).name)
