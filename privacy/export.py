"""One person's data as a zip of JSON and their audio files (a subject access request).

The archive is written to a file (a temporary one for downloads), never built in memory: audio
files are copied into it in blocks by zipfile, so a rep with hours of recordings costs disk,
not RAM. Layout:

    person.json                          who, team, role, when exported
    meetings/<id>/meeting.json           title, date, customer, status, scores, consent, retention
    meetings/<id>/transcript.json        timed segments with speaker
    meetings/<id>/moments.json           behaviours found, with time and text
    meetings/<id>/comments.json          every comment on the meeting
    meetings/<id>/audio/<original name>  the recording, while retention keeps it
    comments_written.json                comments the person wrote on other people's meetings
    feedback.json                        the person's "not right" marks
    voice/<clip>                         their voice enrolment clip, if any
"""

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from meetings import filestore
from privacy.models import ErasureLog
from privacy.services import audit_record


@dataclass
class ExportSummary:
    meetings: int = 0
    audio_files: int = 0


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _json(zf: zipfile.ZipFile, name: str, data: Any) -> None:
    zf.writestr(name, json.dumps(data, ensure_ascii=False, indent=2), compress_type=zipfile.ZIP_DEFLATED)


def _write_stored(zf: zipfile.ZipFile, field, arcname: str) -> bool:
    """Copy the file behind a FileField into the zip (from a local folder or a bucket, streamed
    through a temporary file); False when it is empty or gone."""
    name = field.name if field else None
    if not name or not filestore.exists(name):
        return False
    with filestore.fetched(name) as path:
        zf.write(path, arcname)
    return True


def _comment(c) -> dict[str, Any]:
    return {
        "meeting_id": c.meeting_id,
        "author": c.author.get_username(),
        "line": c.segment_index,
        "time": c.time,
        "behaviour": c.behaviour_key,
        "body": c.body,
        "created_at": _iso(c.created_at),
    }


def _meeting(meeting) -> dict[str, Any]:
    from coaching.models import MeetingScore
    from privacy.models import MeetingConsent, MeetingRedaction

    score = MeetingScore.objects.filter(meeting=meeting).first()
    consent = MeetingConsent.objects.filter(meeting=meeting).first()
    redaction = MeetingRedaction.objects.filter(meeting=meeting).first()
    return {
        "id": meeting.pk,
        "public_id": str(meeting.public_id),
        "title": meeting.title,
        "held_on": _iso(meeting.held_on),
        "customer_name": meeting.customer_name,
        "language": meeting.effective_language or meeting.language,
        "status": meeting.status,
        "duration_seconds": meeting.duration_seconds,
        "outcome": meeting.outcome,
        "uploaded_at": _iso(meeting.created_at),
        "original_filename": meeting.original_filename,
        "speaker_method": meeting.speaker_method,
        "scores": (
            {"rules_version": score.rules_version, "kpis": score.kpis, "computed_at": _iso(score.computed_at)}
            if score is not None
            else None
        ),
        "consent": (
            {"told_whom": consent.told_whom, "told_on": _iso(consent.told_on), "method": consent.method}
            if consent is not None
            else None
        ),
        "recording_removed_at": _iso(redaction.audio_removed_at) if redaction else None,
        "transcript_removed_at": _iso(redaction.transcript_removed_at) if redaction else None,
    }


def person_export_write(*, person, out: IO[bytes], actor=None) -> ExportSummary:
    """Write `person`'s archive to `out` (a writable, seekable binary file) and audit who asked."""
    from coaching.models import Moment
    from meetings.models import Meeting, VoiceEnrolment
    from reviews.models import Comment, MomentFeedback

    summary = ExportSummary()
    profile = getattr(person, "profile", None)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        _json(
            zf,
            "person.json",
            {
                "id": person.pk,
                "username": person.get_username(),
                "name": person.get_full_name(),
                "email": person.email,
                "team": profile.team.name if profile is not None and profile.team else None,
                "role": profile.role if profile is not None else None,
                "exported_at": _iso(timezone.now()),
            },
        )
        for meeting in Meeting.objects.filter(owner=person).order_by("held_on", "id").iterator():
            folder = f"meetings/{meeting.pk}"
            _json(zf, f"{folder}/meeting.json", _meeting(meeting))
            _json(
                zf,
                f"{folder}/transcript.json",
                list(meeting.segments.order_by("index").values("index", "start", "end", "speaker", "text")),
            )
            _json(
                zf,
                f"{folder}/moments.json",
                list(
                    Moment.objects.filter(meeting=meeting)
                    .order_by("turn_index", "char_start")
                    .values("behaviour_key", "time", "text", "source", "score", "rule_key")
                ),
            )
            comments = Comment.objects.filter(meeting=meeting).select_related("author").order_by("created_at")
            _json(zf, f"{folder}/comments.json", [_comment(c) for c in comments])
            name = Path(meeting.original_filename).name or Path(meeting.audio.name or "").name
            if _write_stored(zf, meeting.audio, f"{folder}/audio/{name}"):
                summary.audio_files += 1
            summary.meetings += 1
        written = (
            Comment.objects.filter(author=person)
            .exclude(meeting__owner=person)
            .select_related("author")
            .order_by("created_at")
        )
        _json(zf, "comments_written.json", [_comment(c) for c in written])
        _json(
            zf,
            "feedback.json",
            [
                {
                    "meeting_id": f.meeting_id,
                    "behaviour": f.behaviour_key,
                    "text": f.text,
                    "note": f.note,
                    "created_at": _iso(f.created_at),
                }
                for f in MomentFeedback.objects.filter(user=person).order_by("created_at")
            ],
        )
        enrolment = VoiceEnrolment.objects.filter(user=person).first()
        if enrolment is not None and _write_stored(
            zf, enrolment.clip, f"voice/{Path(enrolment.clip.name or '').name}"
        ):
            summary.audio_files += 1
    audit_record(
        action=ErasureLog.Action.EXPORTED,
        actor=actor,
        reason="personal data export",
        subject_user_id=person.pk,
        counts={"meetings": summary.meetings, "audio_files": summary.audio_files},
    )
    return summary
