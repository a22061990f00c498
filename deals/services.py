"""Writes of deals: create, update stage/outcome, attach a meeting. Each validates with full_clean."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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
