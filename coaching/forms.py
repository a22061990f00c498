"""Forms for the coaching pages: the range pickers and the targets form validate; views save nothing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coaching.trends import KPIS, PERIODS, SORTS
from meetings.models import Meeting


class RangeForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Per"), choices=[("week", _("week")), ("month", _("month"))], required=False
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_period(self) -> str:
        period = self.cleaned_data.get("period")
        return period if isinstance(period, str) and period in PERIODS else "week"


class MeetingFilterForm(forms.Form):
    customer = forms.CharField(label=_("Customer"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Meeting.Status.choices]
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    mfrom = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    mto = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or "-date"
        return sort if sort.lstrip("-") in SORTS else "-date"


class TargetForm(forms.Form):
    kpi = forms.ChoiceField(choices=[(k.key, k.label) for k in KPIS])
    value = forms.FloatField(required=False, min_value=0)
    rep = forms.IntegerField(required=False, min_value=1)
