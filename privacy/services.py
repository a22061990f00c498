"""Writes of the privacy app: audit rows, removing a meeting's files, recording consent.

Deleting is done by Django (a meeting page, the admin, a user's cascade); signals.py removes the
files and writes the audit row for each. `erasure_by` tells those signals who did it and why.
"""

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.storage import storages
from django.db import transaction

from meetings import filestore
from privacy.models import ErasureLog, MeetingConsent

logger = logging.getLogger(__name__)

# Said when nobody told us why: a deletion in the admin or one cascading from another row.
REASON_UNSTATED = "deleted (admin or cascade)"


@dataclass(frozen=True)
class Erasure:
    actor: object | None
    reason: str


_current: contextvars.ContextVar[Erasure | None] = contextvars.ContextVar("privacy_erasure", default=None)


@contextlib.contextmanager
def erasure_by(actor, reason: str) -> Iterator[None]:
    """Deletions inside this block are audited as done by `actor` for `reason`."""
    token = _current.set(Erasure(actor=actor, reason=reason[:200]))
    try:
        yield
    finally:
        _current.reset(token)


def current_erasure() -> Erasure:
    return _current.get() or Erasure(actor=None, reason=REASON_UNSTATED)


def audit_record(
    *,
    action: str,
    actor=None,
    reason: str,
    meeting=None,
    subject_user_id: int | None = None,
    counts: dict | None = None,
) -> ErasureLog:
    """One audit row. Only ids and counts go in: never titles, names or text."""
    actor = actor if getattr(actor, "pk", None) else None
    return ErasureLog.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        meeting_public_id=meeting.public_id if meeting is not None else None,
        subject_user_id=subject_user_id
        if subject_user_id is not None
        else getattr(meeting, "owner_id", None),
        team_id_at_time=getattr(meeting, "team_id", None),
        reason=reason[:200],
        counts=counts or {},
    )


def meeting_folder(meeting) -> str:
    """The storage folder of a meeting's original, its 16 kHz decode, chunks and waveform peaks."""
    return meeting.audio_dir


def meeting_files(meeting) -> list[str]:
    """Every stored file the pipeline wrote for this meeting (the upload and everything derived),
    as storage names: the same on a local folder and in a bucket."""
    names = filestore.list_tree(meeting_folder(meeting))
    if meeting.audio and meeting.audio.name not in names and filestore.exists(meeting.audio.name):
        names.append(meeting.audio.name)
    return sorted(names)


def meeting_files_remove(meeting) -> int:
    """Remove the meeting's files now; returns how many there were. Safe to run twice."""
    names = meeting_files(meeting)
    _files_remove(names, [meeting_folder(meeting)])
    return len(names)


def files_remove_on_commit(names: list[str], folders: list[str] | None = None) -> None:
    """Remove files once the deletion is committed: a rolled-back delete keeps its recording."""
    transaction.on_commit(lambda: _files_remove(names, folders or []))


def _files_remove(names: list[str], folders: list[str]) -> None:
    storage = storages["default"]
    for name in names:
        storage.delete(name)
    for folder in folders:
        filestore.delete_tree(folder)


def meeting_consent_record(*, meeting, told_whom: str, told_on, method: str, recorded_by) -> MeetingConsent:
    consent = MeetingConsent(
        meeting=meeting, told_whom=told_whom[:200], told_on=told_on, method=method, recorded_by=recorded_by
    )
    consent.full_clean()
    consent.save()
    return consent
