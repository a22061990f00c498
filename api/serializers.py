"""What the API sends and accepts. Read serializers only shape rows; writes go through services."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.filters import MAX_BIGINT, MAX_INT
from coaching.models import MeetingScore, Moment, RuleSet
from coaching.trends import PERIODS
from meetings.failures import meeting_failure_message
from meetings.models import Meeting, Segment, Speaker
from privacy.models import MeetingConsent


class MeetingSerializer(serializers.ModelSerializer):
    owner_username = serializers.CharField(source="owner.username", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    has_recording = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField(
        help_text=_("Why it failed, in the language of the request (Accept-Language, else the user's).")
    )
    error_params = serializers.JSONField(
        read_only=True, help_text=_("The failure's plain values (lengths in seconds, a file type).")
    )
    needs_speaker_check = serializers.BooleanField(read_only=True)
    outcome = serializers.ChoiceField(
        choices=Meeting.Outcome.choices, allow_blank=True, read_only=True, help_text=_("Empty: not recorded.")
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "public_id",
            "title",
            "held_on",
            "customer_name",
            "owner",
            "owner_username",
            "team",
            "language",
            "detected_language",
            "status",
            "status_label",
            "progress",
            "error_code",
            "error",
            "error_params",
            "has_recording",
            "original_filename",
            "size_bytes",
            "duration_seconds",
            "speaker_method",
            "speaker_confidence",
            "needs_speaker_check",
            "outcome",
            "created_at",
            "updated_at",
            "processed_at",
        ]
        read_only_fields = fields

    def get_has_recording(self, meeting: Meeting) -> bool:
        return bool(meeting.audio)

    def get_error(self, meeting: Meeting) -> str:
        return meeting_failure_message(meeting)


class MeetingUploadSerializer(serializers.Serializer):
    """The upload form's fields, one file per request (a recording or a .vtt/.srt/.txt transcript)."""

    file = serializers.FileField(help_text=_("A recording, or a transcript exported as .vtt, .srt or .txt."))
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    held_on = serializers.DateField(required=False)
    customer_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=Meeting.Language.choices, default=Meeting.Language.AUTO)
    # The consent notice (privacy app); required where the uploader's team policy says so.
    consent_told_whom = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Who was told that the meeting is recorded (consent notice)."),
    )
    consent_method = serializers.ChoiceField(choices=MeetingConsent.Method.choices, default="verbal")
    consent_told_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Empty: the meeting's date.")
    )

    def validate(self, attrs):
        attrs.setdefault("held_on", timezone.localdate())
        return attrs


class SpeakerMappingSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.ChoiceField(choices=Speaker.choices),
        help_text=_("Each speaker name of the imported transcript: rep or customer."),
    )

    def validate_mapping(self, mapping: dict[str, str]) -> dict[str, str]:
        names = self.context["names"]
        unknown = sorted(set(mapping) - set(names))
        if unknown:
            raise serializers.ValidationError(
                _("Not a speaker of this transcript: %(names)s.") % {"names": ", ".join(unknown)}
            )
        if Speaker.REP not in mapping.values():
            raise serializers.ValidationError(_("Choose at least one speaker as the rep."))
        return mapping


class SegmentSerializer(serializers.ModelSerializer):
    speaker = serializers.ChoiceField(
        choices=Speaker.choices, allow_blank=True, read_only=True, help_text=_("Empty: not attributed yet.")
    )

    class Meta:
        model = Segment
        fields = ["id", "index", "start", "end", "speaker", "speaker_name", "text"]
        read_only_fields = fields


class MomentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Moment
        fields = [
            "id",
            "behaviour_key",
            "turn_index",
            "char_start",
            "char_end",
            "time",
            "text",
            "source",
            "rule_key",
            "score",
        ]
        read_only_fields = fields


class KpiSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    kpis = serializers.DictField(help_text=_("Every KPI the engine computed, by name."))

    class Meta:
        model = MeetingScore
        fields = [
            "meeting",
            "language",
            "rules_version",
            "asks",
            "affirmations",
            "case_studies",
            "proposals",
            "premature_proposals",
            "affirmations_per_customer_minute",
            "listening_window_customer_share",
            "rep_talk_share",
            "ask_to_proposal_latency_median",
            "kpis",
            "computed_at",
        ]
        read_only_fields = fields


def _kpi_values(**kwargs) -> serializers.DictField:
    return serializers.DictField(child=serializers.FloatField(allow_null=True), **kwargs)


class RangeQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": _("The end date is before the start date.")})
        return attrs


class RepTrendQuerySerializer(RangeQuerySerializer):
    rep = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_INT, help_text=_("A rep's user id; yourself by default.")
    )
    period = serializers.ChoiceField(choices=PERIODS, default="week")


class TeamTrendQuerySerializer(RangeQuerySerializer):
    team = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_BIGINT, help_text=_("A team id; yours by default.")
    )


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class TrendPointSerializer(serializers.Serializer):
    start = serializers.DateField()
    meetings = serializers.IntegerField()
    values = _kpi_values()
    team_median = _kpi_values()


class RepTrendSerializer(serializers.Serializer):
    rep = UserRefSerializer()
    period = serializers.ChoiceField(choices=PERIODS)
    start = serializers.DateField()
    end = serializers.DateField()
    meetings = serializers.IntegerField()
    overall = _kpi_values()
    targets = serializers.DictField(child=serializers.FloatField())
    points = TrendPointSerializer(many=True)


class TeamRowSerializer(serializers.Serializer):
    rep = UserRefSerializer()
    meetings = serializers.IntegerField()
    values = _kpi_values()
    spark = serializers.DictField(child=serializers.ListField(child=serializers.FloatField(allow_null=True)))
    premature_rising = serializers.BooleanField()
    listening_dropping = serializers.BooleanField()


class TeamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class TeamTrendSerializer(serializers.Serializer):
    team = TeamRefSerializer()
    start = serializers.DateField()
    end = serializers.DateField()
    spark_period = serializers.ChoiceField(choices=PERIODS)
    median = _kpi_values()
    targets = serializers.DictField(child=serializers.FloatField())
    rows = TeamRowSerializer(many=True)


class RuleVersionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, allow_null=True, default=None)
    rules = serializers.SerializerMethodField(help_text=_("How many rules the version holds."))

    class Meta:
        model = RuleSet
        fields = ["number", "is_active", "comment", "source", "author", "created_at", "rules"]
        read_only_fields = fields

    def get_rules(self, version: RuleSet) -> int:
        return len(version.snapshot.get("rules", []))


class RuleVersionDetailSerializer(RuleVersionSerializer):
    snapshot = serializers.SerializerMethodField(
        help_text=_("The behaviours and rules themselves; admins only (null for everyone else).")
    )

    class Meta(RuleVersionSerializer.Meta):
        fields = [*RuleVersionSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields

    def get_snapshot(self, version: RuleSet) -> dict | None:
        request = self.context.get("request")
        return version.snapshot if request is not None and request.user.is_staff else None


class RulePublishSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, allow_blank=True, default="")
