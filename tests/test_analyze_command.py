"""`manage.py analyze FILE --json`: the same pipeline without the web server, in a stable JSON shape."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import JFK_WAV


@pytest.mark.real_engine
@pytest.mark.django_db
def test_analyze_prints_the_transcript_as_stable_json():
    out = StringIO()
    call_command("analyze", str(JFK_WAV), "--language", "en", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) >= {"segments", "moments", "kpis"}
    segment = result["segments"][0]
    assert set(segment) == {"start", "end", "speaker", "text"}
    assert segment["speaker"] in ("rep", "customer", None)
    text = " ".join(s["text"] for s in result["segments"]).lower()
    assert "ask not what your country can do for you" in text
    assert all(0 <= s["start"] < s["end"] <= 11.1 for s in result["segments"])
    assert all(set(m) == {"behaviour", "turn", "start", "text"} for m in result["moments"])
    assert isinstance(result["kpis"], dict) and "rep_affirmation_count" in result["kpis"]


def test_analyze_refuses_a_bad_file_with_the_reason(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not audio")
    with pytest.raises(CommandError, match="txt"):
        call_command("analyze", str(bad), "--json")


def test_analyze_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("analyze", str(tmp_path / "missing.mp3"), "--json")
