"""Behaviours, their detection rules, the moments found in meetings and each meeting's scores."""

from django.db import models
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
    tokens = models.JSONField(default=list)  # per turn: [[text, ws, norm, lemma, pos, reading, offset], ...]
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"tokens of meeting {self.meeting_id}"
