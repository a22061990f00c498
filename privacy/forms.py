from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.consent import ConsentNotice, consent_check
from privacy.models import MeetingConsent


class ConsentForm(forms.Form):
    """The upload form's consent notice; `required` comes from the uploader's team policy."""

    prefix = "consent"

    given = forms.BooleanField(label=_("I told the customer that this meeting is recorded"), required=False)
    told_whom = forms.CharField(
        label=_("Who was told"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Ms Yamada and Mr Sato (ACME)")}),
    )
    method = forms.ChoiceField(
        label=_("How"),
        choices=MeetingConsent.Method.choices,
        initial=MeetingConsent.Method.VERBAL,
        required=False,  # clients that never show the consent fields do not send it
    )
    told_on = forms.DateField(
        label=_("When (blank: the meeting's date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, required: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.required = required

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                self.notice = consent_check(
                    required=self.required,
                    given=data.get("given", False),
                    told_whom=data.get("told_whom", ""),
                    told_on=data.get("told_on"),
                    method=data.get("method") or MeetingConsent.Method.VERBAL,
                )
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data

    def notice_or_none(self) -> ConsentNotice | None:
        return getattr(self, "notice", None)
