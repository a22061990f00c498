"""Company models: trained from a company's own labels on real dialogues (ASDC, CC BY 4.0, the
free dialogues shipped beside the base model), compared on held-out meetings with rules alone
and the base model, published like a rule version, and restored."""

import json

import pytest
from django.urls import reverse

from coaching.engine.learned import BASE_DIR
from coaching.engine.learned.company import held_out_split, train_company_model
from coaching.engine.rules import default_pack
from coaching.engine.scoring import load_labelled
from coaching.engine.types import AFFIRMATION, ASK, PROPOSAL
from coaching.models import AuditLog, DetectorVersion, LabelledSet, MeetingScore, RescoreJob
from tests.conftest import wait_for
from tests.workbench_helpers import STANDARD_ASK, ensure_default_rules, stored_meeting

ASDC = BASE_DIR / "asdc-train.jsonl"


def _rules():
    pack = default_pack()
    return {lang: [r for r in pack.rules if r.language == lang] for lang in ("ja", "en")}


def _asdc(n):
    return load_labelled(ASDC)[:n]


@pytest.fixture
def no_base_model(monkeypatch, settings):
    """An install that ships no base model (or a company in a domain it does not cover)."""
    import coaching.engine.learned as learned

    settings.AIZUCHI_DETECTOR = "base"
    learned.base_model.cache_clear()
    monkeypatch.setattr(learned, "BASE_MANIFEST", BASE_DIR / "absent.json")
    yield
    learned.base_model.cache_clear()


def test_held_out_split_is_stable_and_never_splits_a_meeting():
    meetings = _asdc(20)
    train, held = held_out_split(meetings)
    _, again_held = held_out_split(list(reversed(meetings)))
    assert [m.id for m in held] == [m.id for m in again_held] and len(held) == 5
    assert not {m.id for m in train} & {m.id for m in held}


def test_company_model_from_a_few_dozen_labelled_moments_beats_rules_alone_on_held_out_real_turns():
    # given 80 real dialogues labelled by the company, with no base model to lean on
    meetings = _asdc(80)
    # when a company model is trained on three quarters of them
    result = train_company_model(meetings, rules=_rules(), base=None, name="acme")
    # then on the quarter it never saw, rules + company model beat rules alone wherever it has
    # a head of its own, and it learned asks, affirmations and proposals from ≥ 20 labelled turns
    report = result.report["behaviours"]["ja"]
    assert result.model is not None
    for behaviour in (ASK, AFFIRMATION, PROPOSAL):
        row = report[behaviour]
        assert row["head"] == "company" and row["training_positives"] >= 20, behaviour
        held = row["held_out"]
        assert held["rules+company"]["f1"] > held["rules"]["f1"] + 0.05, (behaviour, held)
    assert report[PROPOSAL]["held_out"]["rules+company"]["recall"] >= 0.6


def test_too_few_labels_keep_the_base_model():
    result = train_company_model(_asdc(6), rules=_rules(), base=None, name="tiny")
    assert result.model is None and result.report["verdict"] == "keeps-base"
    assert all(row["head"] == "rules" for row in result.report["behaviours"]["ja"].values()), (
        "no head is trained from fewer than MIN_POSITIVES labelled turns"
    )


def _labelled_set(admin_user, n=60):
    meetings = [json.loads(line) for line in ASDC.read_text(encoding="utf-8").splitlines()[:n]]
    return LabelledSet.objects.create(name="asdc.jsonl", uploaded_by=admin_user, meetings=meetings)


def test_admin_trains_reads_held_out_figures_publishes_and_goes_back_to_the_base(
    no_base_model, admin_user, alice, client, django_capture_on_commit_callbacks
):
    from coaching.services import scoring_rules_active
    from coaching.workbench.company_model import detector_train

    # given a company with labelled dialogues and a stored meeting
    ensure_default_rules()
    from coaching.workbench.services import ruleset_publish

    ruleset_publish(actor=admin_user, comment="first", rescore=False)
    meeting = stored_meeting(alice, STANDARD_ASK, "Tokyo")
    _labelled_set(admin_user)
    client.force_login(admin_user)
    # when the admin starts training, the worker trains it (here: the task's service)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("workbench:detector_train"), {"comment": "our own words"})
    assert response.status_code == 302
    version = DetectorVersion.objects.get()
    assert version.status == "training"
    assert client.get(reverse("workbench:detector")).context["training"] is True
    detector_train(version_id=version.pk)
    version.refresh_from_db()
    # then the page shows rules alone / + base / + company on the held-out meetings
    assert version.status == "ready" and version.progress == 1.0 and len(version.digest) == 64
    page = client.get(reverse("workbench:detector"))
    rows = {r["behaviour"]: r for v, rs in page.context["versions"] for r in rs}
    assert rows[PROPOSAL]["detectors"][2]["f1"] > rows[PROPOSAL]["detectors"][0]["f1"]
    assert "Rules + company model" in page.content.decode()
    # when it is published, every meeting is rescored with it and scores name it
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("workbench:detector_publish", args=[version.number]))
    job = RescoreJob.objects.latest("id")
    assert job.detector_id == version.pk and job.label.endswith("+m1")
    sr = scoring_rules_active()
    assert sr.model.name == "company-m1" and sr.label == job.label
    from coaching.tasks import rescore_batch

    rescore_batch(job.pk, [meeting.pk])
    assert MeetingScore.objects.get(meeting=meeting).rules_version == job.label
    # and going back to the base is another audited publish
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("workbench:detector_use_base"))
    assert scoring_rules_active().model is None  # this install ships no base model
    actions = list(AuditLog.objects.values_list("action", flat=True))
    assert {"detector-train", "detector-publish", "detector-use-base"} <= set(actions)


def test_a_version_that_is_not_better_cannot_be_published(no_base_model, admin_user, client):
    version = DetectorVersion.objects.create(number=1, status=DetectorVersion.Status.KEEPS_BASE)
    client.force_login(admin_user)
    response = client.post(reverse("workbench:detector_publish", args=[1]), follow=True)
    assert "cannot be published" in response.content.decode()
    version.refresh_from_db()
    assert not version.is_active


def test_reps_not_right_marks_train_as_turns_without_the_behaviour(admin_user, alice):
    from coaching.models import Moment
    from coaching.workbench.company_model import company_labels
    from reviews.models import MomentFeedback

    ensure_default_rules()
    meeting = stored_meeting(alice, STANDARD_ASK, "Tokyo")
    moment = Moment.objects.filter(meeting=meeting, behaviour_key=ASK).first()
    MomentFeedback.objects.create(
        meeting=meeting, moment=moment, user=alice, behaviour_key=ASK, text=moment.text
    )
    labelled, feedback, turns = company_labels()
    assert labelled == [] and [m.id for m in feedback] == [f"feedback-{meeting.pk}"]
    assert turns[f"feedback-{meeting.pk}"] == {ASK: [moment.turn_index]}


def test_workbench_company_model_page_is_for_admins_only(alice, carol, client):
    for user in (alice, carol):
        client.force_login(user)
        assert client.get(reverse("workbench:detector")).status_code == 404
        assert client.post(reverse("workbench:detector_train")).status_code == 404
    assert not DetectorVersion.objects.exists()


def test_active_labelling_offers_the_turns_the_model_is_least_sure_about(settings, admin_user, alice):
    from coaching.detector import detector_active
    from coaching.workbench.selectors import turns_to_label
    from coaching.workbench.services import meeting_labels_save

    settings.AIZUCHI_DETECTOR = "base"
    ensure_default_rules()
    lines = [
        ("customer", "子供が楽しめる宿ってありますか？"),
        ("rep", "さようでございますか。"),
        ("customer", "温泉があると嬉しいです。"),
        ("rep", "それでは、駅から近いホテルをお探しいたします。"),
    ]
    meeting = stored_meeting(alice, lines, "Kids")
    model = detector_active()
    picks = turns_to_label(model=model, limit=3)
    assert picks and all(p["meeting_id"] == meeting.pk for p in picks)
    margins = [abs(p["score"] - model.heads[("ja", p["behaviour"])].threshold) for p in picks]
    assert margins == sorted(margins)
    # once the meeting is marked, it is not offered again
    meeting_labels_save(
        actor=admin_user, meeting_id=meeting.pk, labels={}, set_name="Marked on stored meetings"
    )
    assert turns_to_label(model=model) == []


@pytest.mark.worker
@pytest.mark.real_engine
def test_training_runs_on_a_real_worker_with_progress_to_the_end(admin_user, celery_worker_process):
    from coaching.workbench.company_model import detector_training_start

    ensure_default_rules()
    _labelled_set(admin_user, n=40)
    version = detector_training_start(actor=admin_user, comment="worker")
    wait_for(
        lambda: DetectorVersion.objects.get(pk=version.pk).status != "training",
        timeout=180,
        message="training on the worker",
    )
    version.refresh_from_db()
    assert version.status in ("ready", "keeps-base") and version.progress == 1.0, version.error
    held = version.report["behaviours"]["ja"][PROPOSAL]["held_out"]
    assert set(held) == {"rules", "rules+base", "rules+company"} and held["rules"]["support"] > 0
