"""Reads of meetings, always scoped to what the asking user may see.

No view loads a Meeting by id directly: it calls meeting_get_for_user, which answers 404 for
anything the user may not open, so a guessed id reveals nothing.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from meetings.models import Meeting, Segment, VoiceEnrolment


def _team_of(user):
    profile = getattr(user, "profile", None)
    return profile.team_id if profile is not None else None


def _manages_team(user) -> bool:
    profile = getattr(user, "profile", None)
    return bool(profile is not None and profile.is_manager and profile.team_id)


def meeting_list_for_user(user) -> QuerySet[Meeting]:
    """Admins see every meeting, managers their team's, reps their own."""
    meetings = Meeting.objects.select_related("owner")
    if not user.is_authenticated:
        return meetings.none()
    if user.is_staff:
        return meetings.all()
    if _manages_team(user):
        return meetings.filter(Q(owner=user) | Q(owner__profile__team_id=_team_of(user)))
    return meetings.filter(owner=user)


def meeting_get_for_user(user, meeting_id: int) -> Meeting:
    try:
        return meeting_list_for_user(user).get(pk=meeting_id)
    except Meeting.DoesNotExist:
        raise Http404("No such meeting.") from None


def meeting_can_edit(user, meeting: Meeting) -> bool:
    """Only the rep who owns a recording (or an admin) retries or deletes it."""
    return user.is_staff or meeting.owner_id == user.pk


def segments_for_meeting(meeting: Meeting) -> QuerySet[Segment]:
    return meeting.segments.order_by("index")


def enrolment_for_user(user) -> VoiceEnrolment | None:
    return VoiceEnrolment.objects.filter(user=user).first()


def enrolment_embedding(user):
    """The rep's enrolled voice as a numpy vector, or None: chooses the rep's voice in mono audio."""
    embedding = VoiceEnrolment.objects.filter(user=user).values_list("embedding", flat=True).first()
    if not embedding:
        return None
    import numpy as np

    return np.asarray(embedding, dtype=np.float32)


def speaker_names_for_meeting(meeting: Meeting) -> list[str]:
    """Speaker names of an imported transcript, in order of first appearance."""
    names = meeting.segments.order_by("index").values_list("speaker_name", flat=True)
    return [n for n in dict.fromkeys(names) if n]


def meeting_can_fix_speakers(user, meeting: Meeting) -> bool:
    """Who may swap or reassign speakers: the rep who owns the meeting, an admin, and the manager
    of the rep's team. Managers review their team's meetings and are often the first to notice a
    swapped meeting; the fix is reversible and only re-runs detection, so it is theirs to make too.
    Deleting or retrying a recording stays with the owner (meeting_can_edit)."""
    if meeting_can_edit(user, meeting):
        return True
    return _manages_team(user) and _team_of(meeting.owner) == _team_of(user)


def meeting_can_set_outcome(user, meeting: Meeting) -> bool:
    """Who records how the deal went: the same people who may fix the meeting's speakers."""
    return meeting_can_fix_speakers(user, meeting)


def segment_get_for_user(user, meeting: Meeting, segment_id: int) -> Segment:
    try:
        return meeting.segments.get(pk=segment_id)
    except Segment.DoesNotExist:
        raise Http404("No such segment.") from None
