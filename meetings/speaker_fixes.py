"""Fixing who spoke: swap rep and customer, reassign one line, confirm. Each fix re-runs behaviour
detection in the worker (the KPIs depend on who said what)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting, Segment, Speaker
from meetings.services import meeting_reanalyse_enqueue


def _other(role: str) -> str:
    return Speaker.CUSTOMER if role == Speaker.REP else Speaker.REP


def meeting_speakers_swap(*, meeting: Meeting) -> Meeting:
    """Swap rep and customer on every segment, then re-run behaviour detection in the worker."""
    with transaction.atomic():
        segments = list(meeting.segments.exclude(speaker=""))
        for segment in segments:
            segment.speaker = _other(segment.speaker)
        Segment.objects.bulk_update(segments, ["speaker"])
        if meeting.speaker_mapping:
            meeting.speaker_mapping = {name: _other(role) for name, role in meeting.speaker_mapping.items()}
        meeting.speakers_checked = True
        meeting.save(update_fields=["speaker_mapping", "speakers_checked", "updated_at"])
        transaction.on_commit(lambda: meeting_reanalyse_enqueue(meeting_id=meeting.pk))
    return meeting


def segment_speaker_set(*, segment: Segment, speaker: str) -> Segment:
    """Reassign one segment; behaviour detection for its meeting re-runs in the worker.
    Setting the speaker it already has changes nothing and queues nothing."""
    if speaker not in Speaker.values:
        raise ValidationError({"speaker": _("Choose rep or customer.")})
    if segment.speaker == speaker:
        return segment
    meeting = segment.meeting
    with transaction.atomic():
        segment.speaker = speaker
        segment.save(update_fields=["speaker"])
        meeting.speakers_checked = True
        meeting.save(update_fields=["speakers_checked", "updated_at"])
        transaction.on_commit(lambda: meeting_reanalyse_enqueue(meeting_id=meeting.pk))
    return segment


def meeting_speakers_confirm(*, meeting: Meeting) -> Meeting:
    """Someone looked at the speakers and they are right: the KPIs stop being provisional."""
    meeting.speakers_checked = True
    meeting.save(update_fields=["speakers_checked", "updated_at"])
    return meeting
