"""Forms of the rule workbench: they parse and validate; services write."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coaching.engine.rules import REGEX_FIELDS, RuleError, rule_from_dict
from coaching.engine.types import POSITIONS, RULE_KINDS
from coaching.models import Behaviour

_FLAGS = ("veto", "not_question", "only_question", "after_other_speaker", "not_after_question")


class RuleForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=100)
    behaviour = forms.ChoiceField(label=_("Behaviour"))
    language = forms.ChoiceField(label=_("Language"), choices=[("ja", "日本語"), ("en", "English")])
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k, k) for k in RULE_KINDS])
    pattern = forms.CharField(
        label=_("Pattern"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Phrases separated by |, an RE2 regular expression, or a JSON token pattern."),
    )
    speaker = forms.ChoiceField(
        label=_("Speaker"),
        required=False,
        choices=[("", _("Anyone")), ("rep", _("Rep")), ("customer", _("Customer"))],
    )
    position = forms.ChoiceField(label=_("Position"), choices=[(p, p) for p in POSITIONS], initial="any")
    field = forms.ChoiceField(
        label=_("Regex runs on"),
        choices=[("text", _("text")), ("norm", _("normalised forms"))],
        initial="text",
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    veto = forms.BooleanField(label=_("Veto (removes overlapping moments)"), required=False)
    not_question = forms.BooleanField(label=_("Not in a question"), required=False)
    only_question = forms.BooleanField(label=_("Only in a question"), required=False)
    after_other_speaker = forms.BooleanField(label=_("Right after the other party"), required=False)
    not_after_question = forms.BooleanField(label=_("Not answering a question"), required=False)
    unless_followed_by = forms.CharField(label=_("Unless followed by (regex)"), required=False)
    unless_preceded_by = forms.CharField(label=_("Unless preceded by (regex)"), required=False)
    requires_in_turn = forms.CharField(label=_("Requires in turn (regex)"), required=False)
    requires_after = forms.CharField(label=_("Requires after (regex)"), required=False)
    requires_before = forms.CharField(
        label=_("Requires in the other party's turn just before (regex)"), required=False
    )
    unless_in_turn = forms.CharField(label=_("Unless in turn (regex)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 1}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        behaviour = self.fields["behaviour"]
        assert isinstance(behaviour, forms.ChoiceField)
        behaviour.choices = [(b.key, f"{b.name_ja} / {b.name_en}") for b in Behaviour.objects.order_by("id")]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # forms.Form.clean returns cleaned_data
        if self.errors:
            return data
        pattern: Any = data["pattern"].strip()
        if data["kind"] == "pattern":
            try:
                pattern = json.loads(pattern)
            except ValueError:
                raise forms.ValidationError(
                    _('A token pattern is JSON, e.g. [{"NORM": "良い"}, {"NORM": "方法"}].')
                ) from None
        rule = {
            "key": data["key"],
            "behaviour": data["behaviour"],
            "language": data["language"],
            "kind": data["kind"],
            "pattern": pattern,
            "enabled": data["enabled"],
            "speaker": data["speaker"] or None,
            "position": data["position"],
            "field": data["field"],
            "note": data["note"],
            **{f: data[f] for f in _FLAGS},
            **{f: data[f] or None for f in REGEX_FIELDS},
        }
        try:
            rule_from_dict(rule)
        except RuleError as exc:
            raise forms.ValidationError(str(exc)) from None
        data["rule"] = rule
        return data

    @classmethod
    def initial_from(cls, rule: dict[str, Any]) -> dict[str, Any]:
        initial = dict(rule)
        if isinstance(rule.get("pattern"), list):
            initial["pattern"] = json.dumps(rule["pattern"], ensure_ascii=False)
        return initial


class BehaviourForm(forms.ModelForm):
    class Meta:
        model = Behaviour
        fields = ["key", "name_ja", "name_en", "description_ja", "description_en", "count"]
        labels = {
            "key": _("Key"),
            "name_ja": _("Name (Japanese)"),
            "name_en": _("Name (English)"),
            "description_ja": _("Description (Japanese)"),
            "description_en": _("Description (English)"),
            "count": _("Counted"),
        }


class SentenceTestForm(forms.Form):
    text = forms.CharField(label=_("Sentence"), max_length=2000)
    language = forms.ChoiceField(label=_("Language"), choices=[("ja", "日本語"), ("en", "English")])
    speaker = forms.ChoiceField(label=_("Speaker"), choices=[("customer", _("Customer")), ("rep", _("Rep"))])
    previous = forms.CharField(label=_("Line before (other party)"), max_length=2000, required=False)


class PublishForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=1000)


class PackUploadForm(forms.Form):
    file = forms.FileField(label=_("Rule pack (YAML or JSON)"))


class LabelledUploadForm(forms.Form):
    file = forms.FileField(label=_("Labelled meetings (JSONL)"))

    def clean_file(self) -> list[dict[str, Any]]:
        f = self.cleaned_data["file"]
        if f.size > 5_000_000:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        meetings = []
        try:
            for n, line in enumerate(f.read().decode("utf-8").splitlines(), 1):
                if line.strip():
                    m = json.loads(line)
                    if not isinstance(m, dict) or "turns" not in m or m.get("language") not in ("ja", "en"):
                        raise ValueError(f"line {n}: needs turns and language ja or en")
                    meetings.append(m)
        except (ValueError, UnicodeDecodeError) as exc:
            raise forms.ValidationError(_("Not a labelled JSONL file: %(err)s") % {"err": exc}) from None
        if not meetings:
            raise forms.ValidationError(_("The file has no meetings."))
        return meetings
