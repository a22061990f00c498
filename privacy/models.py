"""How long a team keeps recordings and transcripts, consent to record, and the audit trail of
what was erased or exported.

The privacy app owns these rows; meetings and coaching keep no retention state of their own.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamPolicy(models.Model):
    """A team's retention periods (blank: kept forever) and whether uploads need consent."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="privacy_policy")
    audio_days = models.PositiveIntegerField(
        _("days to keep recordings"),
        null=True,
        blank=True,
        help_text=_("Blank: kept until deleted. The scores built from a recording are kept."),
    )
    transcript_days = models.PositiveIntegerField(
        _("days to keep transcripts"),
        null=True,
        blank=True,
        help_text=_(
            "Blank: kept until deleted. Removing a transcript removes its recording too; the scores are kept."
        ),
    )
    consent_required = models.BooleanField(
        _("consent required"),
        default=False,
        help_text=_("Uploads must say who was told that the meeting is recorded, when and how."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("team privacy policy")
        verbose_name_plural = _("team privacy policies")

    def __str__(self) -> str:
        return f"privacy policy of team {self.team_id}"

    def clean(self) -> None:
        # A recording kept longer than its transcript would let anyone rebuild the transcript.
        if (
            self.audio_days is not None
            and self.transcript_days is not None
            and self.audio_days > self.transcript_days
        ):
            raise ValidationError(
                {"audio_days": _("Recordings cannot be kept longer than their transcripts.")}
            )

    @property
    def effective_audio_days(self) -> int | None:
        """Transcripts taking their recording with them: the shorter of the two periods."""
        days = [d for d in (self.audio_days, self.transcript_days) if d is not None]
        return min(days) if days else None


class MeetingRedaction(models.Model):
    """What retention has already removed from one meeting, so the page can say so."""

    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="redaction")
    audio_removed_at = models.DateTimeField(null=True, blank=True)
    transcript_removed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"redaction of meeting {self.meeting_id}"


class MeetingConsent(models.Model):
    """Who was told that a meeting is recorded, when and how (entered at upload)."""

    class Method(models.TextChoices):
        VERBAL = "verbal", _("Told at the start of the meeting")
        INVITATION = "invitation", _("Written in the invitation")
        EMAIL = "email", _("By email or chat")
        OTHER = "other", _("Another way")

    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="consent")
    told_whom = models.CharField(_("who was told"), max_length=200)
    told_on = models.DateField(_("when"))
    method = models.CharField(_("how"), max_length=16, choices=Method.choices, default=Method.VERBAL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"consent for meeting {self.meeting_id}"


class ErasureLog(models.Model):
    """Who removed or exported whose data, when and why. Ids and counts only: no titles,
    customer names or transcript text, so the trail itself holds no customer content."""

    class Action(models.TextChoices):
        MEETING_DELETED = "meeting_deleted", _("Meeting deleted")
        USER_DELETED = "user_deleted", _("User deleted")
        AUDIO_EXPIRED = "audio_expired", _("Recording removed by retention")
        TRANSCRIPT_EXPIRED = "transcript_expired", _("Transcript removed by retention")
        EXPORTED = "exported", _("Personal data exported")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A copy that survives the actor's own deletion ("" for the system: retention, cascades).
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    meeting_public_id = models.UUIDField(null=True, blank=True)
    subject_user_id = models.PositiveIntegerField(null=True, blank=True)
    team_id_at_time = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200)
    counts = models.JSONField(default=dict, blank=True)  # {"files": 3, "segments": 120, …}

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} ({self.reason})"
