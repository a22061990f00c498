"""Writes of deals: create, update stage/outcome, attach a meeting. Each validates with full_clean."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.crm_match import Plan, PlannedDeal
from deals.models import Deal, DealMeeting
from deals.signals import deal_evidence_changed
from meetings.models import Meeting


def deal_create(
    *,
    owner: Any,
    customer_name: str,
    name: str,
    opened_on: datetime.date,
    stage: str = Deal.Stage.DISCOVERY,
    amount: Decimal | None = None,
    outcome: str = Deal.Outcome.OPEN,
    closed_on: datetime.date | None = None,
) -> Deal:
    profile = getattr(owner, "profile", None)
    deal = Deal(
        owner=owner,
        team_id=profile.team_id if profile is not None else None,
        customer_name=customer_name.strip(),
        name=name.strip(),
        opened_on=opened_on,
        stage=stage,
        amount=amount,
        outcome=outcome,
        closed_on=closed_on,
    )
    _check_closing(deal)
    deal.full_clean()
    deal.save()
    return deal


def _check_closing(deal: Deal) -> None:
    """A won or lost deal is closed: its stage says so and it has a close date; an open one has none."""
    if deal.is_closed:
        deal.stage = Deal.Stage.CLOSED
        if deal.closed_on is None:
            raise ValidationError({"closed_on": _("A won or lost deal needs the date it closed.")})
    else:
        deal.closed_on = None
        if deal.stage == Deal.Stage.CLOSED:
            deal.stage = Deal.Stage.NEGOTIATION
    if deal.closed_on is not None and deal.closed_on < deal.opened_on:
        raise ValidationError({"closed_on": _("A deal cannot close before it opened.")})


def deal_update(
    *, deal: Deal, stage: str, outcome: str, closed_on: datetime.date | None, amount: Decimal | None
) -> Deal:
    outcome_before = deal.outcome
    deal.stage, deal.outcome, deal.closed_on, deal.amount = stage, outcome, closed_on, amount
    _check_closing(deal)
    deal.full_clean()
    deal.save(update_fields=["stage", "outcome", "closed_on", "amount", "updated_at"])
    if deal.outcome != outcome_before:
        _evidence_changed(deal.pk)
    return deal


def _evidence_changed(deal_id: int) -> None:
    transaction.on_commit(lambda: deal_evidence_changed.send(sender=Deal, deal_id=deal_id), robust=True)


@transaction.atomic
def deal_attach_meeting(*, deal: Deal, meeting: Meeting) -> DealMeeting:
    """Put the meeting in the deal (moving it from any other deal): running it twice is a no-op."""
    if meeting.owner_id != deal.owner_id:
        raise ValidationError(_("A meeting can only join a deal of the rep who held it."))
    before = DealMeeting.objects.filter(meeting=meeting).select_related("deal").first()
    link, _created = DealMeeting.objects.update_or_create(meeting=meeting, defaults={"deal": deal})
    if before is not None and before.deal_id != deal.pk and before.deal.is_closed:
        _evidence_changed(before.deal_id)
    if deal.is_closed and (before is None or before.deal_id != deal.pk):
        _evidence_changed(deal.pk)
    return link


def deal_detach_meeting(*, meeting: Meeting) -> None:
    link = DealMeeting.objects.filter(meeting=meeting).select_related("deal").first()
    if link is None:
        return
    link.delete()
    if link.deal.is_closed:
        _evidence_changed(link.deal_id)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    linked: int


IMPORT_FIELDS = ["customer_name", "name", "opened_on", "stage", "outcome", "closed_on", "amount"]


@transaction.atomic
def deals_import_from_crm(*, plan: Plan) -> ImportResult:
    """Write a previewed import (deals.crm_match.plan_import) in one transaction: all of it or,
    if any deal fails validation, none of it. Meetings are only ever added to deals here (moved
    only from a deal the same file updates); nothing is detached.

    In bulk, not deal by deal (thousands of rows): each deal is checked in Python (full_clean
    without its per-row queries); the database holds the owner, team, close-date and CRM-id
    constraints, and any breach rolls the whole import back."""
    owner_ids = {p.owner_id for p in plan.deals if p.existing_id is None}
    team_of = dict(get_user_model().objects.filter(pk__in=owner_ids).values_list("pk", "profile__team_id"))
    existing = Deal.objects.select_for_update().in_bulk([p.existing_id for p in plan.deals if p.existing_id])
    new: list[Deal] = []
    changed: list[Deal] = []
    deal_of: list[tuple[PlannedDeal, Deal]] = []
    for planned in plan.deals:
        row = planned.row
        if row.opened_on is None:  # plan_import rejects such rows; kept for the type checker
            continue
        if planned.existing_id is None:
            deal = Deal(owner_id=planned.owner_id, team_id=team_of.get(planned.owner_id), crm_id=row.crm_id)
            new.append(deal)
        else:
            deal = existing[planned.existing_id]
            changed.append(deal)
        deal.customer_name, deal.name, deal.opened_on = row.customer, row.name, row.opened_on
        deal.stage, deal.outcome, deal.closed_on, deal.amount = (
            row.stage,
            row.outcome,
            row.closed_on,
            row.amount,
        )
        _check_closing(deal)
        deal.full_clean(exclude=["owner", "team"], validate_unique=False, validate_constraints=False)
        deal_of.append((planned, deal))
    Deal.objects.bulk_create(new, batch_size=500)
    now = timezone.now()
    for deal in changed:
        deal.updated_at = now
    Deal.objects.bulk_update(changed, [*IMPORT_FIELDS, "updated_at"], batch_size=500)
    links = [DealMeeting(deal=deal, meeting_id=m.id) for planned, deal in deal_of for m in planned.meetings]
    DealMeeting.objects.filter(meeting_id__in=[link.meeting_id for link in links]).delete()
    DealMeeting.objects.bulk_create(links, batch_size=500)
    return ImportResult(len(new), len(changed), len(links))
