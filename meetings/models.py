"""Recordings, their processing state and their timed transcripts."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def meeting_audio_path(meeting: "Meeting", filename: str) -> str:
    # The stored name never reuses the user's file name: it is opaque and cannot collide.
    suffix = (
        "".join(c for c in filename.rsplit(".", 1)[-1].lower() if c.isalnum())[:8] if "." in filename else ""
    )
    return f"meetings/{meeting.public_id}/original.{suffix or 'bin'}"


class Meeting(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DECODING = "decoding", _("Decoding audio")
        TRANSCRIBING = "transcribing", _("Transcribing")
        ATTRIBUTING = "attributing", _("Finding speakers")
        ANALYSING = "analysing", _("Finding moments")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Language(models.TextChoices):
        AUTO = "auto", _("Detect automatically")
        JA = "ja", _("Japanese")
        EN = "en", _("English")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetings")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    customer_name = models.CharField(_("customer / company"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.AUTO)
    detected_language = models.CharField(max_length=8, blank=True)

    audio = models.FileField(upload_to=meeting_audio_path, max_length=255)
    original_filename = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)  # 0..1 within the current status
    error_code = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)  # a sentence the rep understands; details go to the log
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)

    speaker_method = models.CharField(max_length=32, blank=True)
    speaker_confidence = models.FloatField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]
        indexes = [
            models.Index(fields=["owner", "-held_on"]),
            models.Index(fields=["team", "-held_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def audio_dir(self) -> str:
        """Storage-relative folder holding this meeting's original and derived audio."""
        return f"meetings/{self.public_id}"

    @property
    def effective_language(self) -> str:
        return self.detected_language or (self.language if self.language != self.Language.AUTO else "")


class Speaker(models.TextChoices):
    REP = "rep", _("Rep")
    CUSTOMER = "customer", _("Customer")


class Segment(models.Model):
    """One timed piece of the transcript, as Whisper (or an import) produced it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="segments")
    index = models.PositiveIntegerField()
    start = models.FloatField()
    end = models.FloatField()
    text = models.TextField()
    speaker = models.CharField(max_length=16, choices=Speaker.choices, blank=True)

    class Meta:
        ordering = ["meeting", "index"]
        constraints = [models.UniqueConstraint(fields=["meeting", "index"], name="segment_unique_index")]

    def __str__(self) -> str:
        return f"[{self.start:.1f}] {self.text[:40]}"


class TranscriptChunk(models.Model):
    """A slice of a long recording, transcribed on its own so memory stays bounded and
    several workers can share one meeting."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    start = models.FloatField()
    end = models.FloatField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.FloatField(default=0.0)
    language = models.CharField(max_length=8, blank=True)
    segments = models.JSONField(default=list)

    class Meta:
        ordering = ["meeting", "index"]
        constraints = [models.UniqueConstraint(fields=["meeting", "index"], name="chunk_unique_index")]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.index} [{self.start:.0f}–{self.end:.0f}s]"
