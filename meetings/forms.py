from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.audio import SUPPORTED_EXTENSIONS
from meetings.models import Meeting, Speaker

# Transcripts exported by Zoom, Teams or Meet (or "Name: text" lines) are accepted in the same
# upload form; they skip Whisper (services.meeting_create_from_upload routes them).
TRANSCRIPT_EXTENSIONS = frozenset({"vtt", "srt", "txt"})


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
    # The form metaclass moves declared fields off the class, so this does not replace
    # BaseForm.files (the uploaded files) at runtime; the stubs cannot see that.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Recordings"),
        required=False,
        widget=MultipleFileInput(
            attrs={
                "accept": ",".join(f".{ext}" for ext in sorted(SUPPORTED_EXTENSIONS | TRANSCRIPT_EXTENSIONS))
            }
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


class SpeakerMappingForm(forms.Form):
    """One rep/customer choice per speaker name found in an imported transcript."""

    def __init__(self, *args, names: list[str], initial_mapping: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.names = names
        initial_mapping = initial_mapping or {}
        for i, name in enumerate(names):
            self.fields[f"speaker_{i}"] = forms.ChoiceField(
                label=name,
                choices=Speaker.choices,
                initial=initial_mapping.get(name) or (Speaker.REP if i == 0 else Speaker.CUSTOMER),
                widget=forms.RadioSelect,
            )

    def clean(self):
        data = super().clean()
        if self.names and Speaker.REP not in data.values() and not self.errors:
            raise forms.ValidationError(_("Choose at least one speaker as the rep."))
        return data

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"speaker_{i}"] for i, name in enumerate(self.names)}


class VoiceEnrolmentForm(forms.Form):
    clip = forms.FileField(
        label=_("A recording of your voice (10-60 seconds, only you speaking)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "audio/*," + ",".join(f".{ext}" for ext in sorted(SUPPORTED_EXTENSIONS))}
        ),
    )
