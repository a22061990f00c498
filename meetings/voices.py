"""The rep's enrolled voice: a short clip whose embedding tells the rep's voice from the
customer's in mono recordings."""

from pathlib import Path

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from meetings import audio
from meetings.models import VoiceEnrolment
from meetings.services import _upload_name

ENROLMENT_MIN_SECONDS = 5


ENROLMENT_MAX_SECONDS = 120


class VoiceEnrolmentError(ValueError):
    """The clip cannot serve as a voice enrolment; str(error) is written for the user."""


def voice_enrolment_set(*, user, uploaded_file: UploadedFile) -> VoiceEnrolment:
    """Check a short clip of the rep's voice, compute its voice embedding and keep both,
    replacing an earlier enrolment. Raises audio.AudioError or VoiceEnrolmentError, each with a
    sentence for the user."""
    import tempfile

    from meetings.speakers import voice_embedding
    from meetings.speakers.metrics import read_mono

    name = _upload_name(uploaded_file)
    audio.check_extension(name)
    with tempfile.TemporaryDirectory(prefix="aizuchi-voice-") as workdir:
        source = Path(workdir) / ("clip." + name.rsplit(".", 1)[-1].lower())
        with source.open("wb") as out:
            for chunk in uploaded_file.chunks():
                out.write(chunk)
        info = audio.probe(source)
        audio.validate(info, max_duration_seconds=ENROLMENT_MAX_SECONDS)
        decoded = audio.decode_to_wav(
            source,
            Path(workdir) / "clip16k.wav",
            channels=1,
            expected_duration=info.duration,
            max_duration=ENROLMENT_MAX_SECONDS,
        )
        if decoded.duration < ENROLMENT_MIN_SECONDS:
            raise VoiceEnrolmentError(
                _("Record at least %(seconds)d seconds of your voice.") % {"seconds": ENROLMENT_MIN_SECONDS}
            )
        embedding = voice_embedding(read_mono(decoded.path))
    uploaded_file.seek(0)
    with transaction.atomic():
        old = VoiceEnrolment.objects.filter(user=user).first()
        old_name = old.clip.name if old is not None else ""
        enrolment = old or VoiceEnrolment(user=user)
        enrolment.duration_seconds = decoded.duration
        enrolment.embedding = [round(float(x), 6) for x in embedding]
        enrolment.clip.save(name, uploaded_file, save=False)
        enrolment.save()
    if old_name and old_name != enrolment.clip.name:
        default_storage.delete(old_name)
    return enrolment


def voice_enrolment_delete(*, user) -> None:
    enrolment = VoiceEnrolment.objects.filter(user=user).first()
    if enrolment is None:
        return
    name = enrolment.clip.name
    enrolment.delete()
    if name:
        default_storage.delete(name)
