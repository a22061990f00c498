"""Audio seam: probe, validate and decode uploads with ffmpeg, then read and split the decoded WAV.

Every recording goes through here once (``probe`` → ``validate`` → ``decode_to_wav``) and comes out as
one 16 kHz 16-bit PCM WAV that the transcription and speaker steps read slice by slice
(``read_samples``, ``plan_chunks``). Nothing here touches the ORM; failures a rep can fix are raised
as ``AudioError`` with a sentence they understand (``message``) and the ffmpeg output for the log
(``detail``). ffmpeg/ffprobe are Debian's binaries, run as subprocesses with timeouts; numpy is
imported lazily.

Modules: ``errors`` (AudioError and the rep's sentences), ``probe`` (extension, headers, length
limit), ``decode`` (the one streaming decode and its truncation and silence checks), ``wav``
(reading and chunking the decoded WAV), ``ffmpeg`` (what probe and decode share to run ffmpeg).
Callers use the names below; tuning constants stay in their module, so patch them there.
"""

from meetings.audio.decode import DecodedAudio, decode_timeout, decode_to_wav
from meetings.audio.errors import AudioError, format_duration
from meetings.audio.probe import SUPPORTED_EXTENSIONS, ProbeInfo, check_extension, probe, validate
from meetings.audio.wav import SAMPLE_RATE, SAMPLE_WIDTH, plan_chunks, read_samples, wav_duration, write_slice

__all__ = [
    "SAMPLE_RATE",
    "SAMPLE_WIDTH",
    "SUPPORTED_EXTENSIONS",
    "AudioError",
    "DecodedAudio",
    "ProbeInfo",
    "check_extension",
    "decode_timeout",
    "decode_to_wav",
    "format_duration",
    "plan_chunks",
    "probe",
    "read_samples",
    "validate",
    "wav_duration",
    "write_slice",
]
