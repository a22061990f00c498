"""Behaviours, their detection rules, the moments found in meetings and each meeting's scores."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Behaviour(models.Model):
    """A behaviour coached on; the built-in four come from the rule pack, later issues add custom ones."""

    class Count(models.TextChoices):
        PER_MATCH = "per_match", _("Each occurrence")
        PER_SENTENCE = "per_sentence", _("Once per sentence")
        PER_TURN = "per_turn", _("Once per turn")

    key = models.SlugField(max_length=64, unique=True)
    name_ja = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    description_ja = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    count = models.CharField(max_length=16, choices=Count.choices, default=Count.PER_MATCH)
    is_builtin = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key

    @property
    def name(self) -> str:
        """The name in the language the page is shown in."""
        return self.name_ja if (get_language() or "").startswith("ja") else self.name_en


class RulePackVersion(models.Model):
    """Which version of a shipped pack was installed, so loading it again is a no-op."""

    name = models.CharField(max_length=64, default="default")
    version = models.CharField(max_length=32)
    installed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="rulepack_unique_version")]

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"


class PhraseRule(models.Model):
    """One detection rule, editable as data (see coaching.engine.types.Rule for the constraints)."""

    class Kind(models.TextChoices):
        PHRASE = "phrase", _("Exact phrase")
        PATTERN = "pattern", _("Token pattern")
        READING = "reading", _("Reading (kana)")
        REGEX = "regex", _("Regular expression")

    key = models.SlugField(max_length=100, unique=True)
    behaviour = models.ForeignKey(Behaviour, on_delete=models.CASCADE, related_name="rules")
    language = models.CharField(max_length=8, choices=[("ja", "日本語"), ("en", "English")])
    kind = models.CharField(max_length=16, choices=Kind.choices)
    pattern = models.JSONField(help_text=_("Phrase or regex text, or a token pattern (list)."))
    constraints = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    pack = models.CharField(
        max_length=64, blank=True, help_text=_("Pack and version it came from; blank if hand-made.")
    )
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["behaviour_id", "language", "id"]
        indexes = [models.Index(fields=["enabled", "language"])]

    def __str__(self) -> str:
        return self.key


class Moment(models.Model):
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="moments")
    behaviour_key = models.SlugField(max_length=64)
    turn_index = models.PositiveIntegerField()
    char_start = models.PositiveIntegerField()
    char_end = models.PositiveIntegerField()
    time = models.FloatField(null=True, blank=True)
    text = models.CharField(max_length=500)
    rule_key = models.CharField(max_length=100, blank=True)
    # Which found it: a rule (rule_key names it) or the learned detector (with its probability).
    source = models.CharField(
        max_length=8, choices=[("rule", _("rule")), ("model", _("model"))], default="rule"
    )
    score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "turn_index", "char_start"]
        indexes = [models.Index(fields=["meeting", "behaviour_key"])]

    def __str__(self) -> str:
        return f"{self.behaviour_key}@{self.turn_index}"


class MeetingScore(models.Model):
    """The KPI dict of one meeting plus indexed columns for the KPIs trend pages query."""

    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="score")
    language = models.CharField(max_length=8)
    kpis = models.JSONField(default=dict)
    rules_version = models.CharField(max_length=64, blank=True)
    asks = models.PositiveIntegerField(default=0)
    affirmations = models.PositiveIntegerField(default=0)
    case_studies = models.PositiveIntegerField(default=0)
    proposals = models.PositiveIntegerField(default=0)
    premature_proposals = models.PositiveIntegerField(default=0)
    affirmations_per_customer_minute = models.FloatField(null=True, blank=True)
    listening_window_customer_share = models.FloatField(null=True, blank=True, db_index=True)
    rep_talk_share = models.FloatField(null=True, blank=True)
    ask_to_proposal_latency_median = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"score of meeting {self.meeting_id}"


class MeetingTokens(models.Model):
    """Tokenised turns of a meeting, so rescoring with new rules only re-matches."""

    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="tokens")
    language = models.CharField(max_length=8)
    tokeniser = models.CharField(max_length=64)
    turns = models.JSONField(default=list)  # [{speaker, text, start, end}]
    # format 1: per turn [[text, ws, norm, lemma, pos, reading, offset], ...];
    # format 2: coaching.engine.fast.PackedTurns.as_json() (what rescoring reads fast).
    tokens = models.JSONField(default=list)
    format = models.PositiveSmallIntegerField(default=1)
    # Turn texts, normalised forms and readings in one string: previews scan it with RE2 to skip
    # meetings no changed rule can match before loading their tokens.
    search = models.TextField(blank=True)
    # The learned detector's probabilities per behaviour and turn, keyed by the model's sha256
    # ({"model": sha256, "values": {behaviour: [p | None, ...]}}): rescoring with new rules
    # reuses them, and a new model's are written here the first time it scores the meeting.
    model_scores = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"tokens of meeting {self.meeting_id}"


class RuleSet(models.Model):
    """A published version of the behaviours and rules: an immutable snapshot.

    The editable draft is the Behaviour and PhraseRule rows; publishing copies them here, and
    scoring only ever reads the active version, so editing the draft changes no rep's numbers.
    """

    number = models.PositiveIntegerField(unique=True)
    comment = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=False)
    source = models.CharField(max_length=100, blank=True)  # "default@2026.1", "restore of 2", "import"
    snapshot = models.JSONField(default=dict)  # {"behaviours": {key: {...}}, "rules": [rule dicts]}

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="ruleset_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"rules v{self.number}"

    @property
    def label(self) -> str:
        """What MeetingScore.rules_version stores for meetings scored with this version."""
        return str(self.number)


def scoring_label(rules_label: str, detector: "DetectorVersion | None") -> str:
    """Scores name the rules and, when one is in use, the company model that made them."""
    return f"{rules_label}+{detector.label}" if detector is not None else rules_label


class RescoreJob(models.Model):
    """Rescoring every stored meeting with one version; batches report progress here."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    UNFINISHED = (Status.QUEUED, Status.RUNNING)

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rescore_jobs")
    # The company model the job scores with (None: the base model, or what the setting names).
    detector = models.ForeignKey(
        "DetectorVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="rescore_jobs"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Batches beat on their job while they run; a running job silent too long is started again
    # (coaching.rescoring), `restarts` times so far.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    restarts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"rescore v{self.ruleset_id}: {self.done}/{self.total} {self.status}"

    @property
    def label(self) -> str:
        """The version the job's scores carry (MeetingScore.rules_version)."""
        return scoring_label(self.ruleset.label, self.detector)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status == "done" else 0)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)


class PreviewJob(models.Model):
    """A draft run against stored meetings: bounded in time, cancellable, with a judged sample."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        PARTIAL = "partial", _("Stopped at the time limit")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    cancel_requested = models.BooleanField(default=False)
    base_number = models.PositiveIntegerField(null=True, blank=True)  # the active version compared with
    draft = models.JSONField(default=dict)  # the draft as it was when the preview started
    deadline_at = models.DateTimeField(null=True, blank=True)
    parts_total = models.PositiveIntegerField(default=0)  # slices of meetings, one task each
    parts_done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    scanned = models.PositiveIntegerField(default=0)
    result = models.JSONField(
        default=dict
    )  # {"behaviours": {key: {added, removed, before, after}}, "sample": [...]}
    marks = models.JSONField(default=dict)  # {sample id: true (right) | false (wrong)}
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"preview {self.pk} {self.status}"


class PreviewPart(models.Model):
    """What one slice of a preview found (workbench.preview.Tally as JSON); the last slice to
    finish adds them up into the preview's result."""

    preview = models.ForeignKey(PreviewJob, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    stopped = models.CharField(max_length=16, blank=True)  # "", or the status that stopped it
    tally = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["preview", "index"], name="one_row_per_preview_part")]

    def __str__(self) -> str:
        return f"part {self.index} of preview {self.preview_id}"


class LabelledSet(models.Model):
    """Labelled meetings (shared/eval/FORMAT.md JSONL) to measure a draft's accuracy on."""

    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    meetings = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class AuditLog(models.Model):
    """Who changed what in the rules, and when: every workbench write adds a row."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.SlugField(max_length=64)
    target = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


class DetectorVersion(models.Model):
    """A company model trained in the workbench from the company's own labels: the model file's
    bytes, the held-out report an admin reads before publishing, and which one is in use.

    Stored in the database, not on a disk, so every web process and worker reads the same one;
    with none active, the base model that ships with the product is used."""

    class Status(models.TextChoices):
        TRAINING = "training", _("Training")
        READY = "ready", _("Ready to publish")
        KEEPS_BASE = "keeps-base", _("Not better than the base model")
        FAILED = "failed", _("Failed")

    number = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TRAINING)
    progress = models.FloatField(default=0.0)
    comment = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    data = models.BinaryField(null=True, blank=True)  # coaching.engine.learned model bytes
    digest = models.CharField(max_length=64, blank=True)  # their sha256
    report = models.JSONField(default=dict)  # coaching.engine.learned.company's report
    error = models.TextField(blank=True)
    is_active = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="detector_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"detector m{self.number} {self.status}"

    @property
    def label(self) -> str:
        """What a score's version gains while this model is in use: "3" becomes "3+m2"."""
        return f"m{self.number}"

    @property
    def percent(self) -> int:
        return int(100 * self.progress)
