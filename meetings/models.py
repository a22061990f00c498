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
        # An imported transcript waits here until its speaker names are mapped to rep/customer.
        MAPPING = "mapping", _("Needs speaker mapping")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Outcome(models.TextChoices):
        OPEN = "open", _("In progress")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

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

    # Empty for an imported transcript: such a meeting has text and times, no recording.
    audio = models.FileField(upload_to=meeting_audio_path, max_length=255, blank=True)
    original_filename = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)  # 0..1 within the current status
    error_code = models.CharField(max_length=32, blank=True)
    # Why it failed, as a message key and its plain params (lengths in seconds, a codec name): the
    # sentence is made when someone reads it, in their language (meetings.failures). ``error`` keeps
    # the English sentence for the log and admin, and is what older rows (stored before the key
    # existed, in the owner's language) show.
    error_key = models.CharField(max_length=32, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    # The worker running a meeting-wide step (decode, speakers, moments) writes heartbeat_at every
    # few seconds; attempts counts the starts of that step. A step that stops beating is started
    # again, a step started too often fails the meeting (meetings.recovery).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    speaker_method = models.CharField(max_length=32, blank=True)  # stereo, mono-enrolled, …, import, manual
    speaker_confidence = models.FloatField(null=True, blank=True)
    # Set when someone swapped or reassigned speakers by hand: the KPIs are no longer provisional.
    speakers_checked = models.BooleanField(default=False)
    # Imported transcripts: {speaker name in the file: "rep" | "customer"}, as the user mapped them.
    speaker_mapping = models.JSONField(default=dict, blank=True)

    # How the deal this meeting belongs to went, as the rep or manager recorded it: the team page
    # compares the behaviours of won and lost meetings.
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True, db_index=True)
    outcome_updated_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]
        indexes = [
            models.Index(fields=["owner", "-held_on"]),
            models.Index(fields=["team", "-held_on"]),
            models.Index(fields=["-held_on", "-created_at"], name="meeting_recent_idx"),  # admin's list
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        """Nothing is running for it: done, failed, or waiting for the user (speaker mapping)."""
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.MAPPING)

    @property
    def audio_dir(self) -> str:
        """Storage-relative folder holding this meeting's original and derived audio."""
        return f"meetings/{self.public_id}"

    @property
    def needs_speaker_check(self) -> bool:
        """Speakers were found automatically with low confidence: the KPIs are provisional until
        someone checks them (a swap or a reassignment counts as checked)."""
        from django.conf import settings

        if self.status != self.Status.DONE or self.speakers_checked or self.speaker_method in ("", "import"):
            return False
        threshold = settings.AIZUCHI_SPEAKER_CONFIDENCE_THRESHOLD
        return self.speaker_confidence is None or self.speaker_confidence < threshold

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
    speaker_name = models.CharField(max_length=100, blank=True)  # as named in an imported transcript

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
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    start = models.FloatField()
    end = models.FloatField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.FloatField(default=0.0)
    language = models.CharField(max_length=8, blank=True)
    segments = models.JSONField(default=list)
    # As on Meeting: the transcribing worker's pulse and how many times the chunk was started.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["meeting", "index"]
        constraints = [models.UniqueConstraint(fields=["meeting", "index"], name="chunk_unique_index")]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.index} [{self.start:.0f}–{self.end:.0f}s]"


def enrolment_clip_path(enrolment: "VoiceEnrolment", filename: str) -> str:
    suffix = meeting_audio_path(Meeting(), filename).rsplit(".", 1)[-1]
    return f"voices/{uuid.uuid4()}/enrolment.{suffix}"


class VoiceEnrolment(models.Model):
    """A short clip of the rep's own voice. In a one-channel recording the voice group closest to
    it is the rep's; without it the rep is guessed (who speaks first) with low confidence."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voice_enrolment"
    )
    clip = models.FileField(upload_to=enrolment_clip_path, max_length=255)
    duration_seconds = models.FloatField()
    embedding = models.JSONField()  # 256 floats, meetings.speakers.voice_embedding
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"voice of {self.user}"
