"""Deals and the meetings held for them.

A deal is the unit an outcome belongs to: several meetings lead to one win or loss. Meetings
are linked from this side (DealMeeting) so the meetings app never imports deals.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Deal(models.Model):
    class Stage(models.TextChoices):
        LEAD = "lead", _("Lead")
        DISCOVERY = "discovery", _("Discovery")
        PROPOSAL = "proposal", _("Proposal")
        NEGOTIATION = "negotiation", _("Negotiation")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deals")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    customer_name = models.CharField(_("customer / company"), max_length=200)
    name = models.CharField(_("deal name"), max_length=200)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.DISCOVERY)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0, null=True, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.OPEN, db_index=True
    )
    # The deal's id in the CRM it was imported from: a second import updates instead of duplicating.
    crm_id = models.CharField(_("CRM id"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["owner", "-opened_on"]),
            models.Index(fields=["team", "outcome"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="deal_closes_after_it_opens",
            ),
            models.UniqueConstraint(
                fields=["team", "crm_id"], condition=~models.Q(crm_id=""), name="deal_crm_id_unique_in_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name}: {self.name}"

    @property
    def is_closed(self) -> bool:
        return self.outcome in (self.Outcome.WON, self.Outcome.LOST)


class DealMeeting(models.Model):
    """A meeting belongs to at most one deal (the unique meeting)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_meetings")
    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="deal_link")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deal", "meeting__held_on", "meeting_id"]

    def __str__(self) -> str:
        return f"{self.deal_id} ← meeting {self.meeting_id}"
