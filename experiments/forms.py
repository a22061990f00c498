"""The form a manager starts an experiment with: the behaviour, its target, the groups, the dates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from experiments.engine import CONDITIONS
from experiments.models import Experiment


class ExperimentForm(forms.Form):
    title = forms.CharField(
        label=_("What the test group tries"),
        max_length=200,
        help_text=_("For example: ask the customer what they need before proposing."),
    )
    behaviour = forms.ChoiceField(label=_("Behaviour"), choices=Experiment.Behaviour.choices)
    bar = forms.FloatField(
        label=_("Bar per meeting"),
        required=False,
        min_value=0,
        help_text=_(
            "A meeting counts when its KPI meets this bar (at most it, for premature proposals). "
            "Blank: at least one ask or case study, no premature proposal, 2 affirmations a "
            "minute, or half the listening window. Enter shares in percent."
        ),
    )
    target_percent = forms.IntegerField(
        label=_("Target: share of meetings (%)"), min_value=0, max_value=100, initial=60
    )
    start_on = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end_on = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    seed = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=999_999)
    test_reps = forms.TypedMultipleChoiceField(
        label=_("Test group"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Ticked: a random half drawn from the seed shown. Leave it as drawn, so that any "
            "difference comes from the behaviour and not from who was picked."
        ),
    )

    def __init__(self, *args: Any, reps: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["test_reps"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(r.pk, r.get_full_name() or r.username) for r in reps]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        behaviour, bar = data.get("behaviour"), data.get("bar")
        if behaviour in CONDITIONS and bar is not None and CONDITIONS[behaviour].unit == "share":
            if bar > 100:
                self.add_error("bar", _("A share is at most 100%."))
            else:
                data["bar"] = bar / 100
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "behaviour": data["behaviour"],
            "bar": data["bar"],
            "target_share": data["target_percent"] / 100,
            "start_on": data["start_on"],
            "end_on": data["end_on"],
            "seed": data["seed"],
            "test_rep_ids": data["test_reps"],
        }
