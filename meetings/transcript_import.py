"""Meetings from transcripts exported by Zoom/Teams/Meet: stored with their speaker names, then
analysed once the user says which names are the rep. No recording, no Whisper."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting, Segment, Speaker
from meetings.services import _meeting_new, _upload_name, meeting_analyse_enqueue, meeting_reanalyse_enqueue

MAX_TRANSCRIPT_BYTES = 10 * 1024 * 1024


def meeting_import_transcript(
    *,
    owner,
    uploaded_file: UploadedFile,
    title: str = "",
    held_on,
    customer_name: str = "",
    language: str = Meeting.Language.AUTO,
    file_count: int = 1,
) -> Meeting:
    """Create a meeting from a transcript exported by Zoom/Teams/Meet (or "Name: text" lines).

    No recording and no Whisper: the segments are stored with their speaker names and the meeting
    waits in MAPPING until the user says which names are the rep. Raises TranscriptImportError
    (a sentence for the user) for an empty, corrupted or unnamed transcript; nothing is stored then.
    """
    from meetings.speakers import parse_transcript

    data = uploaded_file.read(MAX_TRANSCRIPT_BYTES + 1)
    if len(data) > MAX_TRANSCRIPT_BYTES:
        from meetings.speakers import TranscriptImportError

        raise TranscriptImportError(_("The transcript file is too large."))
    name = _upload_name(uploaded_file)
    parsed = parse_transcript(name, data)
    meeting = _meeting_new(
        owner=owner,
        filename=name,
        title=title,
        held_on=held_on,
        customer_name=customer_name,
        language=language,
        file_count=file_count,
        size_bytes=len(data),
        duration_seconds=max((s.end for s in parsed), default=0.0),
        status=Meeting.Status.MAPPING,
        speaker_method="import",
    )
    with transaction.atomic():
        meeting.save()
        Segment.objects.bulk_create(
            Segment(
                meeting=meeting,
                index=i,
                start=s.start,
                end=s.end,
                text=s.text,
                speaker_name=s.speaker_name[:100],
            )
            for i, s in enumerate(parsed)
        )
    return meeting


def meeting_speakers_map(*, meeting: Meeting, mapping: dict[str, str], enqueue: bool = True) -> Meeting:
    """Give each speaker name of an imported transcript a role, remember the mapping on the
    meeting, and queue behaviour detection. Mapping again later replaces the roles.

    enqueue=False queues nothing: the caller runs pipeline.analyse_imported itself (the demo
    history does, in-process, so seeding needs no worker)."""
    roles = {name: role for name, role in mapping.items() if role in Speaker.values}
    with transaction.atomic():
        segments = list(meeting.segments.all())
        for segment in segments:
            segment.speaker = roles.get(segment.speaker_name, "")
        Segment.objects.bulk_update(segments, ["speaker"])
        meeting.speaker_mapping = roles
        meeting.speaker_method = "import"
        meeting.speaker_confidence = 1.0
        first_time = meeting.status == Meeting.Status.MAPPING
        if first_time:
            meeting.status = Meeting.Status.ANALYSING
            meeting.progress = 0.0
        meeting.save(
            update_fields=[
                "speaker_mapping",
                "speaker_method",
                "speaker_confidence",
                "status",
                "progress",
                "updated_at",
            ]
        )
        if enqueue:
            follow = meeting_analyse_enqueue if first_time else meeting_reanalyse_enqueue
            transaction.on_commit(lambda: follow(meeting_id=meeting.pk))
    return meeting
