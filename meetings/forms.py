from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.audio import SUPPORTED_EXTENSIONS
from meetings.models import Meeting


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            raise forms.ValidationError(_("Choose at least one recording."), code="required")
        if len(files) > settings.AIZUCHI_MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(
                _("Upload at most %(count)d files at once.")
                % {"count": settings.AIZUCHI_MAX_FILES_PER_UPLOAD}
            )
        return files


class MeetingUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Recordings"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in sorted(SUPPORTED_EXTENSIONS))}
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    held_on = forms.DateField(
        label=_("Date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    customer_name = forms.CharField(label=_("Customer / company"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=Meeting.Language.choices, initial=Meeting.Language.AUTO
    )
