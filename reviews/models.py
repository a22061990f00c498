"""What people add to the numbers: comments, notifications, targets and "not right" feedback.

Moments are rebuilt whenever a meeting is re-analysed, so feedback and comments keep a copy of
what they point at (behaviour, rule, text, time) and survive their moment being replaced.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Comment(models.Model):
    """A note on a meeting, anchored to a transcript line and/or a moment."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    segment_index = models.PositiveIntegerField(_("line"), null=True, blank=True)
    moment = models.ForeignKey(
        "coaching.Moment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    time = models.FloatField(null=True, blank=True)  # seconds into the recording, for "play from here"
    behaviour_key = models.SlugField(max_length=64, blank=True)
    body = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "created_at", "id"]
        indexes = [models.Index(fields=["meeting", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on meeting {self.meeting_id}"


class Notification(models.Model):
    """An in-app notice that someone commented on one of the recipient's meetings."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"notification {self.pk} for {self.recipient_id}"


class Target(models.Model):
    """A goal for one KPI: for the whole team (rep empty) or one rep, which wins over the team's."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="targets")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kpi = models.SlugField(max_length=64)
    value = models.FloatField(_("target"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "kpi"], condition=Q(rep__isnull=True), name="target_unique_team_kpi"
            ),
            models.UniqueConstraint(
                fields=["team", "rep", "kpi"], condition=Q(rep__isnull=False), name="target_unique_rep_kpi"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi}={self.value} ({self.team_id}/{self.rep_id or '*'})"


class MomentFeedback(models.Model):
    """A rep saying a detected moment is wrong; admins read these when they tune the rules."""

    class Verdict(models.TextChoices):
        NOT_RIGHT = "not_right", _("Not right")

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    moment = models.ForeignKey(
        "coaching.Moment", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=16, choices=Verdict.choices, default=Verdict.NOT_RIGHT)
    behaviour_key = models.SlugField(max_length=64)
    rule_key = models.CharField(max_length=100, blank=True)
    text = models.CharField(max_length=500)
    language = models.CharField(max_length=8, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["moment", "user"],
                condition=Q(moment__isnull=False),
                name="feedback_unique_moment_user",
            )
        ]
        indexes = [models.Index(fields=["rule_key"]), models.Index(fields=["meeting"])]

    def __str__(self) -> str:
        return f"{self.verdict}: {self.behaviour_key} «{self.text[:30]}»"
