"""What users see and fix about speakers: confidence and "check speakers", swapping rep and
customer, reassigning one line, and who may do it. Each fix re-runs behaviour detection for that
meeting only, in the worker (here the task is run in-process right after the commit)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from coaching.models import MeetingScore
from meetings import tasks
from meetings.models import Meeting, Segment

SALES_CALL = [
    ("customer", "何かいい方法はありますか？"),
    ("rep", "はい、なるほど。"),
    (
        "rep",
        "ある製造業のお客様では、商談の録音を毎週チームで振り返るようにしたところ、半年で受注率が二割上がりました。",
    ),
    ("customer", "もう少し小さく始める方法はありますか？"),
    ("rep", "はい、確かに。五人までのお試しプランでしたら、月額一万円でご提案できます。"),
]


@pytest.fixture
def queued(monkeypatch):
    """Meeting ids sent to the re-analysis task (instead of the broker)."""
    sent: list[int] = []
    monkeypatch.setattr(tasks.meeting_reanalyse, "delay", lambda meeting_id: sent.append(meeting_id))
    return sent


@pytest.fixture
def call(alice, make_meeting):
    """A finished meeting of alice's, attributed by voice without enrolment, already analysed."""
    from coaching.models import PhraseRule
    from coaching.services import meeting_analyse, rule_pack_install_default

    if not PhraseRule.objects.exists():  # a transactional test earlier in the run flushed them
        rule_pack_install_default()
    meeting = make_meeting(
        alice, title="Acme", language="ja", speaker_method="mono-heuristic", speaker_confidence=0.3
    )
    Segment.objects.bulk_create(
        Segment(meeting=meeting, index=i, start=4.0 * i, end=4.0 * i + 3.5, text=text, speaker=speaker)
        for i, (speaker, text) in enumerate(SALES_CALL)
    )
    meeting_analyse(meeting=meeting)
    return meeting


def score(meeting) -> MeetingScore:
    return MeetingScore.objects.get(meeting=meeting)


def run_queued(sent):
    for meeting_id in sent:
        tasks.meeting_reanalyse(meeting_id)


def test_swap_reruns_detection_and_the_customers_asks_become_the_reps(
    client, alice, call, queued, django_capture_on_commit_callbacks
):
    # Given a meeting where the customer asks twice and the rep affirms and proposes
    before = score(call)
    assert before.asks == 2 and before.affirmations >= 2 and before.proposals >= 1
    client.force_login(alice)
    # When alice swaps rep and customer
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:speakers_swap", args=[call.pk]))
    assert response.status_code == 302
    # Then every line changed side and one re-analysis of this meeting was queued
    assert list(call.segments.values_list("speaker", flat=True)) == [
        "rep" if s == "customer" else "customer" for s, _ in SALES_CALL
    ]
    assert queued == [call.pk]
    # And once the worker ran it, the asks are gone (the customer's words are now the rep's)
    run_queued(queued)
    after = score(call)
    assert after.asks == 0 and after.affirmations == 0 and after.proposals == 0
    # And re-running the task changes nothing (idempotent)
    tasks.meeting_reanalyse(call.pk)
    again = score(call)
    assert (again.asks, again.affirmations, again.proposals) == (
        after.asks,
        after.affirmations,
        after.proposals,
    )


def test_swapping_twice_gives_the_original_counts_back(
    client, alice, call, queued, django_capture_on_commit_callbacks
):
    original = score(call)
    client.force_login(alice)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("meetings:speakers_swap", args=[call.pk]))
    run_queued(queued)
    final = score(call)
    assert (final.asks, final.affirmations, final.case_studies, final.proposals) == (
        original.asks,
        original.affirmations,
        original.case_studies,
        original.proposals,
    )


def test_reassigning_one_line_reruns_detection_for_that_meeting(
    client, alice, call, queued, django_capture_on_commit_callbacks
):
    # Given the first ask wrongly given to the rep
    first = call.segments.get(index=0)
    first.speaker = "rep"
    first.save()
    tasks.meeting_reanalyse(call.pk)
    assert score(call).asks == 1
    client.force_login(alice)
    # When alice gives the line back to the customer
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:segment_speaker", args=[call.pk, first.pk]), {"speaker": "customer"}
        )
    assert response.status_code == 302
    run_queued(queued)
    # Then the ask counts again
    assert score(call).asks == 2
    assert queued == [call.pk]


def test_setting_the_speaker_a_line_already_has_queues_nothing(
    client, alice, call, queued, django_capture_on_commit_callbacks
):
    line = call.segments.get(index=1)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:segment_speaker", args=[call.pk, line.pk]), {"speaker": "rep"})
    assert queued == []


def test_an_invalid_speaker_is_refused(client, alice, call, queued):
    line = call.segments.get(index=1)
    client.force_login(alice)
    client.post(reverse("meetings:segment_speaker", args=[call.pk, line.pk]), {"speaker": "boss"})
    line.refresh_from_db()
    assert line.speaker == "rep" and queued == []


@override_settings(AIZUCHI_SPEAKER_CONFIDENCE_THRESHOLD=0.6)
def test_low_confidence_meeting_is_marked_check_speakers_until_fixed(
    client, alice, call, queued, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    page = client.get(reverse("meetings:detail", args=[call.pk])).content.decode()
    assert call.needs_speaker_check
    assert 'class="card speakers speakers-check"' in page
    assert 'data-speaker-method="mono-heuristic"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:speakers_swap", args=[call.pk]))
    call.refresh_from_db()
    assert not call.needs_speaker_check
    page = client.get(reverse("meetings:detail", args=[call.pk])).content.decode()
    assert "speakers-check" not in page


@override_settings(AIZUCHI_SPEAKER_CONFIDENCE_THRESHOLD=0.6)
def test_confident_stereo_meeting_needs_no_check(alice, make_meeting):
    sure = make_meeting(alice, speaker_method="stereo", speaker_confidence=0.95)
    unsure = make_meeting(alice, speaker_method="stereo", speaker_confidence=0.55)
    processing = make_meeting(
        alice, status=Meeting.Status.TRANSCRIBING, speaker_method="", speaker_confidence=None
    )
    assert (sure.needs_speaker_check, unsure.needs_speaker_check, processing.needs_speaker_check) == (
        False,
        True,
        False,
    )


def test_confirming_speakers_ends_the_provisional_state(client, alice, call, queued):
    client.force_login(alice)
    client.post(reverse("meetings:speakers_confirm", args=[call.pk]))
    call.refresh_from_db()
    assert call.speakers_checked and not call.needs_speaker_check and queued == []


def test_manager_can_fix_speakers_of_their_teams_meeting(
    client, carol, call, queued, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:speakers_swap", args=[call.pk]))
    assert response.status_code == 302 and queued == [call.pk]


@pytest.mark.parametrize("persona", ["bob", "dave", "erin"])
def test_teammate_and_outsiders_cannot_fix_speakers(client, request, call, queued, persona):
    # bob is alice's teammate (cannot even open it), dave manages another team, erin is in it
    client.force_login(request.getfixturevalue(persona))
    line = call.segments.get(index=0)
    urls = [
        reverse("meetings:speakers_swap", args=[call.pk]),
        reverse("meetings:segment_speaker", args=[call.pk, line.pk]),
        reverse("meetings:speakers_confirm", args=[call.pk]),
    ]
    for url in urls:
        assert client.post(url, {"speaker": "rep"}).status_code == 404
    assert client.get(reverse("meetings:speakers_edit", args=[call.pk])).status_code == 404
    assert call.segments.get(index=0).speaker == "customer" and queued == []


def test_fix_page_lists_every_line_with_its_speaker(client, alice, call):
    client.force_login(alice)
    page = client.get(reverse("meetings:speakers_edit", args=[call.pk])).content.decode()
    for _, text in SALES_CALL:
        assert text in page
    assert page.count('<option value="customer" selected>') == 2


def test_a_segment_of_another_meeting_is_not_found(client, alice, call, make_meeting, queued):
    other = make_meeting(alice, title="Other")
    client.force_login(alice)
    line = call.segments.get(index=0)
    url = reverse("meetings:segment_speaker", args=[other.pk, line.pk])
    assert client.post(url, {"speaker": "rep"}).status_code == 404
