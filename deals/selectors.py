"""Reads of deals, always scoped to what the asking user may see (as meetings.selectors):
a rep sees their own deals, a manager their team's, an admin every deal; anything else is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from deals.models import Deal, DealMeeting
from meetings.models import Meeting


def _profile(user: Any) -> Any:
    return getattr(user, "profile", None)


def _managed_team_id(user: Any) -> int | None:
    profile = _profile(user)
    return profile.team_id if profile is not None and profile.is_manager and profile.team_id else None


def deal_list_for_user(user: Any, *, with_counts: bool = True) -> QuerySet[Deal]:
    deals = Deal.objects.select_related("owner")
    if with_counts:
        deals = deals.annotate(meeting_count=Count("deal_meetings"))
    if not user.is_authenticated:
        return deals.none()
    if user.is_staff:
        return deals.all()
    team_id = _managed_team_id(user)
    if team_id:
        return deals.filter(Q(owner=user) | Q(owner__profile__team_id=team_id))
    return deals.filter(owner=user)


def deal_get_for_user(user: Any, deal_id: int) -> Deal:
    deal = deal_list_for_user(user).filter(pk=deal_id).first()
    if deal is None:
        raise Http404("No such deal.")
    return deal


def deal_can_edit(user: Any, deal: Deal) -> bool:
    """The rep who owns the deal, their manager and admins record its stage and outcome."""
    if user.is_staff or deal.owner_id == user.pk:
        return True
    team_id = _managed_team_id(user)
    owner_profile = _profile(deal.owner)
    return bool(team_id and owner_profile is not None and owner_profile.team_id == team_id)


def deal_for_meeting(meeting: Meeting) -> Deal | None:
    link = DealMeeting.objects.select_related("deal").filter(meeting=meeting).first()
    return link.deal if link else None


def deal_choices_for_meeting(user: Any, meeting: Meeting) -> QuerySet[Deal]:
    """Deals the meeting may join: the meeting's rep's, visible to the user, open ones first."""
    return (
        deal_list_for_user(user)
        .filter(owner_id=meeting.owner_id)
        .order_by("outcome", "customer_name", "name")  # "lost" < "open" < "won": fine for a list
    )


def meetings_for_deal(deal: Deal) -> QuerySet[Meeting]:
    return Meeting.objects.filter(deal_link__deal=deal).order_by("held_on", "id")


def deal_facts(deals: QuerySet[Deal]) -> list[Any]:
    """The deals as engine data (deals.engine.DealFacts): their meetings, moments and scores in
    four queries, whatever the number of deals."""
    from coaching.engine.types import ASK, CASE_STUDY, PREMATURE_PROPOSAL, PROPOSAL
    from coaching.models import MeetingScore, Moment
    from deals.engine import DealFacts, MeetingFacts

    rows = list(deals.values_list("pk", "owner_id", "opened_on", "closed_on", "outcome"))
    links = list(
        DealMeeting.objects.filter(deal__in=deals.values("pk")).values_list(
            "deal_id", "meeting_id", "meeting__held_on"
        )
    )
    # Subqueries, not lists of ids: at 10,000 deals an IN list of 30,000 meetings is the slow part.
    meeting_ids = DealMeeting.objects.filter(deal__in=deals.values("pk")).values("meeting_id")
    moments: dict[int, list[tuple[str, int, float | None]]] = {}
    for mid, key, turn, time in (
        Moment.objects.filter(
            meeting_id__in=meeting_ids, behaviour_key__in=(ASK, PROPOSAL, PREMATURE_PROPOSAL, CASE_STUDY)
        )
        .order_by("meeting_id", "turn_index", "char_start")
        .values_list("meeting_id", "behaviour_key", "turn_index", "time")
    ):
        moments.setdefault(mid, []).append((key, turn, time))
    scores = {
        mid: (listening, affirm)
        for mid, listening, affirm in MeetingScore.objects.filter(meeting_id__in=meeting_ids).values_list(
            "meeting_id", "listening_window_customer_share", "affirmations_per_customer_minute"
        )
    }
    by_deal: dict[int, list[Any]] = {}
    for deal_id, mid, held_on in links:
        listening, affirm = scores.get(mid, (None, None))
        by_deal.setdefault(deal_id, []).append(
            MeetingFacts(held_on, tuple(moments.get(mid, ())), listening, affirm)
        )
    return [
        DealFacts(
            pk, owner, opened, closed, outcome, tuple(sorted(by_deal.get(pk, []), key=lambda m: m.held_on))
        )
        for pk, owner, opened, closed, outcome in rows
    ]


def deal_facts_for_team(viewer: Any, team: Any) -> list[Any]:
    """Closed deals of the team that the viewer may open, as engine data."""
    closed = deal_list_for_user(viewer, with_counts=False).filter(
        owner__profile__team=team, outcome__in=("won", "lost")
    )
    return deal_facts(closed.order_by())


def crm_import_references(viewer: Any, team: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """What an import into the team is matched against, as plain data (deals.crm_match): the
    team's members, its deals that carry a CRM id, and the team's meetings the viewer may open."""
    from django.contrib.auth import get_user_model

    from deals.crm_match import ExistingDeal, MeetingRef, Rep
    from meetings.selectors import meeting_list_for_user

    reps = [
        Rep(*row)
        for row in get_user_model()
        .objects.filter(profile__team=team, is_active=True)
        .values_list("pk", "username", "email", "first_name", "last_name")
    ]
    existing = [
        ExistingDeal(*row)
        for row in deal_list_for_user(viewer, with_counts=False)
        .filter(team=team)
        .exclude(crm_id="")
        .values_list("pk", "crm_id", "owner_id")
    ]
    meetings = [
        MeetingRef(*row)
        for row in meeting_list_for_user(viewer)
        .filter(owner__profile__team=team)
        .exclude(customer_name="")
        .values_list("pk", "owner_id", "customer_name", "held_on", "title", "deal_link__deal_id")
    ]
    return reps, existing, meetings
