"""Reads of the privacy app."""

from django.contrib.auth import get_user_model
from django.http import Http404

from privacy.models import MeetingConsent, MeetingRedaction, TeamPolicy


def policy_for_team(team_id: int | None) -> TeamPolicy | None:
    if team_id is None:
        return None
    return TeamPolicy.objects.filter(team_id=team_id).first()


def policy_for_user(user) -> TeamPolicy | None:
    profile = getattr(user, "profile", None)
    return policy_for_team(profile.team_id if profile is not None else None)


def consent_required_for(user) -> bool:
    """Uploads by this user must carry a consent notice (their team says so)."""
    policy = policy_for_user(user)
    return bool(policy is not None and policy.consent_required)


def redaction_for_meeting(meeting) -> MeetingRedaction | None:
    return MeetingRedaction.objects.filter(meeting=meeting).first()


def consent_for_meeting(meeting) -> MeetingConsent | None:
    return MeetingConsent.objects.filter(meeting=meeting).first()


def person_get_for_export(user, person_id: int):
    """Whose data `user` may download: their own, or anyone's for an admin; 404 otherwise."""
    if person_id != user.pk and not user.is_staff:
        raise Http404("No such person.")
    person = get_user_model().objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    return person


def people_for_admin():
    return get_user_model().objects.select_related("profile__team").order_by("username")
