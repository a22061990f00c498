from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from deals.models import Deal


class DealCreateForm(forms.ModelForm):
    class Meta:
        model = Deal
        fields = ["customer_name", "name", "opened_on", "stage", "amount"]
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"})}


class DealUpdateForm(forms.ModelForm):
    class Meta:
        model = Deal
        fields = ["stage", "outcome", "closed_on", "amount"]
        widgets = {"closed_on": forms.DateInput(attrs={"type": "date"})}


class MeetingDealForm(forms.Form):
    """Pick one of the rep's deals for a meeting, or name a new one (customer from the meeting)."""

    deal = forms.IntegerField(required=False, label=_("Deal"))
    new_name = forms.CharField(required=False, max_length=200, label=_("or a new deal named"))

    def clean(self):
        data = super().clean()
        if not data.get("deal") and not (data.get("new_name") or "").strip():
            raise forms.ValidationError(_("Choose a deal or name a new one."))
        return data


class CrmUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV export from the CRM"))


def mapping_from_post(data: Any, column_count: int) -> dict[str, int | None]:
    """The preview's column choices (map_<field> = column index, or empty for none)."""
    from deals.crm_import import FIELDS

    mapping: dict[str, int | None] = {}
    for name in FIELDS:
        value = data.get(f"map_{name}", "")
        mapping[name] = int(value) if value.isdigit() and int(value) < column_count else None
    return mapping
