"""Thin views: parse the request, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coaching.trends import team_get_for_user
from deals import selectors, services
from deals.engine import deal_kpis
from deals.evidence import FAMILY_LEVEL, MIN_DEALS, evidence_with_days
from deals.forms import DealCreateForm, DealUpdateForm, MeetingDealForm
from deals.wording import LABELS, days_sentence, effect_sentence
from meetings.selectors import meeting_can_set_outcome, meeting_get_for_user


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


@login_required
def deal_list(request):
    form = DealCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                deal = services.deal_create(owner=request.user, **form.cleaned_data)
            except ValidationError as error:
                for message in _errors(error):
                    form.add_error(None, message)
            else:
                return redirect("deals:detail", deal.pk)
        status = 400
    deals = selectors.deal_list_for_user(request.user)[:500]
    return render(request, "deals/list.html", {"deals": deals, "form": form}, status=status)


@login_required
def deal_detail(request, deal_id: int):
    deal = selectors.deal_get_for_user(request.user, deal_id)
    can_edit = selectors.deal_can_edit(request.user, deal)
    form = DealUpdateForm(request.POST or None, instance=None if request.method == "POST" else deal)
    status = 200
    if request.method == "POST" and can_edit:
        if form.is_valid():
            try:
                services.deal_update(deal=deal, **form.cleaned_data)
            except ValidationError as error:
                for message in _errors(error):
                    form.add_error(None, message)
            else:
                messages.success(request, _("The deal was saved."))
                return redirect("deals:detail", deal.pk)
        deal.refresh_from_db()
        status = 400
    facts = selectors.deal_facts(selectors.deal_list_for_user(request.user).filter(pk=deal.pk))[0]
    return render(
        request,
        "deals/detail.html",
        {
            "deal": deal,
            "kpis": deal_kpis(facts),
            "meetings": selectors.meetings_for_deal(deal),
            "form": form,
            "can_edit": can_edit,
        },
        status=status,
    )


@login_required
@require_POST
def meeting_deal(request, meeting_id: int):
    """Put a meeting in one of its rep's deals, or in a new deal named here."""
    meeting = meeting_get_for_user(request.user, meeting_id)
    if not meeting_can_set_outcome(request.user, meeting):
        return redirect("meetings:detail", meeting.pk)
    form = MeetingDealForm(request.POST)
    if not form.is_valid():
        for message in form.non_field_errors():
            messages.error(request, str(message))
        return redirect("meetings:detail", meeting.pk)
    try:
        if form.cleaned_data.get("deal"):
            deal = (
                selectors.deal_choices_for_meeting(request.user, meeting)
                .filter(pk=form.cleaned_data["deal"])
                .first()
            )
            if deal is None:
                messages.error(request, _("That deal is not one of this rep's deals."))
                return redirect("meetings:detail", meeting.pk)
        else:
            deal = services.deal_create(
                owner=meeting.owner,
                customer_name=meeting.customer_name or form.cleaned_data["new_name"],
                name=form.cleaned_data["new_name"],
                opened_on=meeting.held_on,
            )
        services.deal_attach_meeting(deal=deal, meeting=meeting)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The meeting is now part of %(deal)s.") % {"deal": deal})
    return redirect("meetings:detail", meeting.pk)


@login_required
def deal_evidence(request):
    team = team_get_for_user(request.user, _int(request.GET.get("team")))
    effects = evidence_with_days(selectors.deal_facts_for_team(request.user, team))
    rows = [
        {
            "effect": e,
            "label": LABELS[e.behaviour],
            "sentence": effect_sentence(e),
            "days": d,
            "days_sentence": days_sentence(d),
        }
        for e, d in effects
    ]
    return render(
        request,
        "deals/evidence.html",
        {
            "team": team,
            "rows": rows,
            "family_level": f"{FAMILY_LEVEL * 100:.0f}",
            "min_deals": MIN_DEALS,
            "behaviour_count": len(rows),
        },
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
