"""The rule workbench: sentence tester, drafts, preview with a judged sample, publish, restore,
audit log, pack files, hostile rules; and the fast matcher agreeing with spaCy's."""

import json
import random
from pathlib import Path

import pytest
from django.urls import reverse

from coaching.engine import Turn, find_moments, tokenise_turns
from coaching.engine.fast import pack, unpack
from coaching.engine.rules import RuleError, compile_regex, default_pack, rule_from_dict
from coaching.engine.scoring import load_labelled
from coaching.models import AuditLog, MeetingScore, Moment, RescoreJob, RuleSet
from coaching.workbench import services as svc
from coaching.workbench.preview import preview_mark, preview_start, wilson_interval
from coaching.workbench.selectors import accuracy_compare, sentence_test
from tests.workbench_helpers import KANSAI_ASK, KANSAI_RULE, STANDARD_ASK, stored_meeting


@pytest.fixture(autouse=True)
def rules_alone(settings):
    """These tests edit rules and count what the rules find: the learned detector (which finds
    the Kansai ask without any rule, tests/test_learned_detector.py) stays out of them."""
    settings.AIZUCHI_DETECTOR = "off"


DATA = Path(__file__).parent / "data" / "eval"


# ---------------------------------------------------------------- fast path == reference
@pytest.mark.real_engine
@pytest.mark.parametrize("name", ["dev.jsonl", "extra.jsonl"])
def test_fast_matcher_finds_the_same_moments_as_spacy_on_the_labelled_sets(name):
    rules = list(default_pack().rules)
    meetings = load_labelled(DATA / name)
    for m in meetings:
        tt = tokenise_turns(m.turns, m.language)
        assert unpack(pack(tt)) == tt
        reference = find_moments(m.turns, rules, language=m.language, tokens=tt, reference=True)
        fast = find_moments(m.turns, rules, language=m.language, tokens=pack(tt))
        assert fast == reference, m.id
    assert sum(len(find_moments(m.turns, rules, language=m.language)) for m in meetings) > 20


@pytest.mark.real_engine
def test_fast_matcher_agrees_with_spacy_on_random_token_patterns_and_phrases():
    rng = random.Random(7)
    ja = [
        "はい、はい。",
        "なるほどそうですね。",
        "どうしたらいいですか？",
        "導入を検討します",
        "ええ、ええ。ナルホド",
    ]
    vocab = [
        "はい",
        "なるほど",
        "そう",
        "です",
        "ね",
        "ええ",
        "いい",
        "良い",
        "導入",
        "を",
        "検討",
        "する",
        "INTJ",
        "NOUN",
        "VERB",
    ]
    hits = 0
    for _ in range(120):
        turns = [Turn(i, rng.choice(["rep", "customer"]), "".join(rng.sample(ja, 2))) for i in range(5)]
        pattern = []
        for _ in range(rng.randint(1, 3)):
            attr = rng.choice(["LOWER", "NORM", "ORTH", "LEMMA", "POS"])
            spec = {
                attr: rng.choice(vocab)
                if rng.random() < 0.7
                else {rng.choice(["IN", "NOT_IN"]): rng.sample(vocab, 3)}
            }
            op = rng.choice(["?", "*", "+", "!", None, None])
            if op:
                spec["OP"] = op
            pattern.append(spec)
        rules = [
            rule_from_dict(
                {
                    "key": "p",
                    "behaviour": "rep_proposal",
                    "language": "ja",
                    "kind": "pattern",
                    "pattern": pattern,
                }
            ),
            rule_from_dict(
                {
                    "key": "q",
                    "behaviour": "rep_affirmation",
                    "language": "ja",
                    "kind": rng.choice(["phrase", "reading"]),
                    "pattern": "|".join(rng.sample(vocab[:12], 3)),
                }
            ),
        ]
        ref = find_moments(turns, rules, language="ja", reference=True, per_turn=set(), per_sentence=set())
        assert find_moments(turns, rules, language="ja", per_turn=set(), per_sentence=set()) == ref
        hits += len(ref)
    assert hits > 50


# ---------------------------------------------------------------- hostile rules
def test_nested_quantifiers_run_linearly_on_100kb():
    rx = compile_regex("(a+)+$")
    assert rx.search("a" * 100_000 + "b") is None  # completes: RE2 has no backtracking
    assert compile_regex("((a*)*b?)*c").search("a" * 100_000) is None


def test_ten_thousand_term_list_is_refused_with_a_message():
    terms = "|".join(f"用語{i}" for i in range(10_000))
    with pytest.raises(RuleError, match="too long"):
        rule_from_dict(
            {"key": "t", "behaviour": "rep_proposal", "language": "ja", "kind": "phrase", "pattern": terms}
        )


@pytest.mark.django_db
def test_regex_re2_refuses_is_rejected_in_the_form_with_a_message(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("workbench:rule_new"),
        {
            "key": "bad",
            "behaviour": "rep_proposal",
            "language": "ja",
            "kind": "regex",
            "pattern": r"(a)\1",
            "position": "any",
            "field": "text",
            "enabled": "on",
        },
    )
    assert response.status_code == 200
    assert "Backreferences" in response.content.decode()
    assert not AuditLog.objects.filter(target="bad").exists()


@pytest.mark.django_db
def test_unsupported_token_pattern_is_refused():
    with pytest.raises(RuleError, match="use a text value"):
        svc.draft_rule_save(
            actor=None,
            data={
                "key": "x",
                "behaviour": "rep_proposal",
                "language": "ja",
                "kind": "pattern",
                "pattern": [{"TEXT": {"REGEX": "(a+)+$"}}],
            },
        )


# ---------------------------------------------------------------- sentence tester
@pytest.mark.django_db
@pytest.mark.real_engine
def test_sentence_tester_shows_tokens_normalised_form_and_the_rule_that_fired(client, admin_user):
    result = sentence_test(text="どうしたらいいですか？", language="ja", speaker="customer")
    assert [t["text"] for t in result["tokens"]][:2] == ["どう", "し"]
    assert "良い" in result["normalised"]
    assert [m["behaviour"] for m in result["moments"]] == ["customer_asks_for_proposal"]
    assert result["moments"][0]["rule"]
    client.force_login(admin_user)
    html = client.post(
        reverse("workbench:test"),
        {"text": "なんかええもん見繕うてくれへん？", "language": "ja", "speaker": "customer"},
    ).content.decode()
    assert "No behaviour detected" in html and "呉れる" in html  # the normalised form is shown


# ---------------------------------------------------------------- preview, publish, restore
@pytest.fixture
def history(alice, bob):
    return [
        stored_meeting(alice, KANSAI_ASK, "Osaka call"),
        stored_meeting(bob, STANDARD_ASK, "Tokyo call"),
        stored_meeting(alice, STANDARD_ASK, "Tokyo call 2"),
    ]


@pytest.mark.django_db
@pytest.mark.real_engine
def test_preview_counts_moments_the_draft_adds_on_stored_meetings_and_samples_them(history, admin_user):
    svc.draft_rule_save(actor=admin_user, data=KANSAI_RULE)
    preview = preview_start(user=admin_user, run_now=True)
    assert preview.status == "done" and preview.scanned == 3
    ask = preview.result["behaviours"]["customer_asks_for_proposal"]
    assert (ask["added"], ask["removed"], ask["before"], ask["after"]) == (1, 0, 2, 3)
    # asks changed, so premature proposals (those before the first ask) are counted too
    assert set(preview.result["changed"]) == {"customer_asks_for_proposal", "premature_proposal"}
    sample = preview.result["sample"]
    assert any(s["added"] and "見繕うて" in s["hit"] and s["title"] == "Osaka call" for s in sample)
    estimate = preview_mark(preview=preview, item_id=sample[0]["id"], right=True)
    assert estimate["judged"] == 1 and estimate["right"] == 1
    assert estimate["low"] == pytest.approx(wilson_interval(1, 1)[0])


@pytest.mark.django_db
@pytest.mark.real_engine
def test_preview_stops_at_its_deadline_and_reports_partial(history, admin_user):
    svc.draft_rule_save(actor=admin_user, data=KANSAI_RULE)
    preview = preview_start(user=admin_user, run_now=True, seconds=0)
    assert preview.status == "partial" and preview.scanned < 3


def test_wilson_interval_matches_the_textbook_values():
    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    lo, hi = wilson_interval(10, 10)
    assert hi == 1.0 and lo == pytest.approx(0.7225, abs=1e-4)


@pytest.mark.django_db
@pytest.mark.real_engine
def test_publish_makes_a_version_and_a_rescoring_job_and_restore_brings_the_old_rules_back(
    history, admin_user, django_capture_on_commit_callbacks
):
    from coaching.services import meetings_rescore, scoring_rules_active

    osaka = history[0]
    assert MeetingScore.objects.get(meeting=osaka).asks == 0
    svc.draft_rule_save(actor=admin_user, data=KANSAI_RULE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        v2 = svc.ruleset_publish(actor=admin_user, comment="Kansai ask")
    # the rescoring job is queued once the publish commits (and rules_published is sent)
    assert [c.__qualname__.split(".")[0] for c in callbacks] == ["rescore_job_start", "ruleset_publish"]
    assert (v2.number, v2.is_active, RuleSet.objects.filter(is_active=True).count()) == (2, True, 1)
    job = RescoreJob.objects.get(ruleset=v2)
    assert job.total == 3
    meetings_rescore(meeting_ids=[m.pk for m in history], rules=scoring_rules_active())
    assert MeetingScore.objects.get(meeting=osaka).asks == 1
    assert set(MeetingScore.objects.values_list("rules_version", flat=True)) == {"2"}

    v1 = RuleSet.objects.get(number=1)
    with django_capture_on_commit_callbacks(execute=False):
        v3 = svc.ruleset_restore(actor=admin_user, ruleset=v1)
    assert v3.number == 3 and v3.snapshot == v1.snapshot
    meetings_rescore(meeting_ids=[m.pk for m in history], rules=scoring_rules_active())
    assert MeetingScore.objects.get(meeting=osaka).asks == 0
    actions = list(AuditLog.objects.order_by("id").values_list("action", "actor__username"))
    assert actions == [
        ("rule-save", "admin"),
        ("publish", "admin"),
        ("restore", "admin"),
        ("publish", "admin"),
    ]


@pytest.mark.django_db
@pytest.mark.real_engine
def test_rescoring_twice_leaves_the_same_moments_with_the_same_ids(history):
    from coaching.services import meetings_rescore, scoring_rules_active

    before = list(
        Moment.objects.order_by("id").values_list("id", "meeting_id", "behaviour_key", "char_start")
    )
    meetings_rescore(meeting_ids=[m.pk for m in history], rules=scoring_rules_active())
    meetings_rescore(meeting_ids=[m.pk for m in history], rules=scoring_rules_active())
    assert (
        list(Moment.objects.order_by("id").values_list("id", "meeting_id", "behaviour_key", "char_start"))
        == before
    )


@pytest.mark.django_db
@pytest.mark.real_engine
def test_custom_behaviour_with_names_in_both_languages_is_detected_after_publish(
    history, admin_user, django_capture_on_commit_callbacks
):
    from coaching.services import meetings_rescore, scoring_rules_active

    svc.behaviour_save(
        actor=admin_user,
        key="customer_mentions_budget",
        data={"name_ja": "予算の話", "name_en": "Customer mentions budget", "count": "per_turn"},
    )
    svc.draft_rule_save(
        actor=admin_user,
        data={
            "key": "ja-budget",
            "behaviour": "customer_mentions_budget",
            "language": "ja",
            "kind": "phrase",
            "pattern": "人手|打刻漏れ",
            "speaker": "customer",
        },
    )
    with django_capture_on_commit_callbacks(execute=False):
        svc.ruleset_publish(actor=admin_user, comment="budget")
    meetings_rescore(meeting_ids=[m.pk for m in history], rules=scoring_rules_active())
    assert Moment.objects.filter(behaviour_key="customer_mentions_budget").count() == 3


# ---------------------------------------------------------------- files
@pytest.mark.django_db
@pytest.mark.real_engine
def test_export_then_import_gives_the_same_draft(client, admin_user):
    from coaching.selectors import draft_snapshot

    svc.draft_rule_save(actor=admin_user, data=KANSAI_RULE)
    before = draft_snapshot()
    client.force_login(admin_user)
    for fmt in ("yaml", "json"):
        content = client.get(reverse("workbench:draft_export") + f"?format={fmt}").content
        svc.draft_rule_delete(actor=admin_user, key=KANSAI_RULE["key"])
        assert svc.pack_import(actor=admin_user, content=content, filename=f"p.{fmt}") == len(before["rules"])
        assert draft_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"rules: [\n  - key: x\n  bad", "not valid YAML"),
        (b"\xff\xfe", "UTF-8"),
        (
            json.dumps(
                {
                    "behaviours": {},
                    "rules": [
                        {
                            "key": "x",
                            "behaviour": "rep_proposal",
                            "language": "ja",
                            "kind": "regex",
                            "pattern": "(a)\\1",
                        }
                    ],
                }
            ).encode(),
            "Backreferences",
        ),
        (b"!!python/object/apply:os.system ['true']", "not valid YAML"),
        (
            json.dumps(
                {
                    "behaviours": {},
                    "rules": [
                        {
                            "key": f"k{i}",
                            "behaviour": "rep_proposal",
                            "language": "ja",
                            "kind": "phrase",
                            "pattern": "x",
                        }
                        for i in range(3001)
                    ],
                }
            ).encode(),
            "Too many",
        ),
        (b"version: 1", "not a rule pack"),
    ],
)
def test_corrupted_or_hostile_pack_file_is_rejected_with_a_message(client, admin_user, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    before = RuleSet.objects.get(is_active=True).snapshot
    response = client.post(
        reverse("workbench:import"), {"file": SimpleUploadedFile("p.yaml", content)}, follow=True
    )
    assert message in response.content.decode()
    from coaching.selectors import draft_snapshot

    assert draft_snapshot() == before


# ---------------------------------------------------------------- accuracy
@pytest.mark.django_db
@pytest.mark.real_engine
def test_accuracy_shows_draft_and_published_side_by_side(admin_user):
    meetings = [
        json.loads(x) for x in (DATA / "dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()
    ]
    svc.draft_rule_delete(
        actor=admin_user,
        key=next(
            r["key"]
            for r in RuleSet.objects.get().snapshot["rules"]
            if r["behaviour"] == "rep_affirmation" and r["language"] == "ja"
        ),
    )
    result = accuracy_compare(meetings_json=meetings)
    row = next(r for r in result["rows"] if r["language"] == "ja" and r["behaviour"] == "rep_affirmation")
    assert row["draft"]["recall"] < row["published"]["recall"]
    assert row["published"]["f1"] >= 0.9


@pytest.mark.real_engine
def test_hostile_regex_rule_on_a_100kb_turn_completes_and_matches_linearly():
    text = "a" * 100_000
    rule = rule_from_dict(
        {"key": "r", "behaviour": "rep_proposal", "language": "en", "kind": "regex", "pattern": "(a+)+$"}
    )
    moments = find_moments(
        [Turn(0, "rep", text + "b"), Turn(1, "rep", text)],
        [rule],
        language="en",
        per_turn=set(),
        per_sentence=set(),
    )
    assert [(m.turn, m.char_start, m.char_end) for m in moments] == [(1, 0, 100_000)]


@pytest.mark.django_db
@pytest.mark.real_engine
def test_a_preview_whose_slice_was_lost_closes_as_partial_with_what_the_others_found(
    history, admin_user, client
):
    from datetime import timedelta

    from django.utils import timezone

    from coaching.models import PreviewJob
    from coaching.workbench.preview import preview_create, preview_part

    svc.draft_rule_save(actor=admin_user, data=KANSAI_RULE)
    preview, parts = preview_create(user=admin_user)
    PreviewJob.objects.filter(pk=preview.pk).update(parts_total=2)  # a second slice that never ran
    preview_part(preview.pk, 0, parts[0])
    assert PreviewJob.objects.get(pk=preview.pk).status == "running"
    PreviewJob.objects.filter(pk=preview.pk).update(deadline_at=timezone.now() - timedelta(minutes=5))
    client.force_login(admin_user)
    html = client.get(reverse("workbench:preview", args=[preview.pk])).content.decode()
    preview.refresh_from_db()
    assert (
        preview.status == "partial"
        and preview.result["behaviours"]["customer_asks_for_proposal"]["added"] == 1
    )
    assert 'data-status="partial"' in html


# ---------------------------------------------------------------- labels marked on stored meetings
@pytest.mark.django_db
@pytest.mark.real_engine
def test_admin_marks_a_stored_meeting_as_labels_and_the_accuracy_page_measures_the_draft_on_it(
    history, admin_user, client
):
    from coaching.models import LabelledSet

    osaka = history[0]  # the Kansai ask (turn 3) that the published rules miss
    svc.draft_rule_save(actor=admin_user, data=KANSAI_RULE)
    client.force_login(admin_user)
    url = reverse("workbench:label", args=[osaka.pk])
    html = client.get(url).content.decode()
    assert "見繕うて" in html and 'name="n-3-customer_asks_for_proposal" value="0"' in html
    assert 'name="n-4-rep_proposal" value="1"' in html  # prefilled with what was detected

    form = {f"n-{t}-{b}": "0" for t in range(5) for b in ("customer_asks_for_proposal", "rep_proposal")}
    form |= {"n-3-customer_asks_for_proposal": "1", "n-4-rep_proposal": "1", "n-2-rep_affirmation": "1"}
    response = client.post(url, form)
    labelled = LabelledSet.objects.get(name="Marked on stored meetings")
    assert response.status_code == 302 and response["Location"].endswith(f"?set={labelled.pk}")
    [entry] = labelled.meetings
    assert entry["labels"]["customer_asks_for_proposal"] == [3] and entry["labels"]["rep_affirmation"] == [2]
    assert entry["turns"][3]["text"] == KANSAI_ASK[3][1]

    page = client.get(response["Location"]).content.decode()
    ask = next(
        r
        for r in accuracy_compare(meetings_json=labelled.meetings)["rows"]
        if r["behaviour"] == "customer_asks_for_proposal"
    )
    assert (ask["draft"]["recall"], ask["published"]["recall"]) == (1.0, 0.0)
    assert 'data-behaviour="customer_asks_for_proposal"' in page

    # marking again replaces the meeting's entry and starts from what was marked
    assert "Counts as you marked them before" in client.get(url).content.decode()
    client.post(url, form | {"n-0-rep_affirmation": "2"})
    labelled.refresh_from_db()
    assert len(labelled.meetings) == 1 and labelled.meetings[0]["labels"]["rep_affirmation"] == [0, 0, 2]


@pytest.mark.django_db
@pytest.mark.real_engine
def test_a_count_that_is_not_a_small_whole_number_is_refused_and_nothing_is_saved(
    history, admin_user, client
):
    from coaching.models import LabelledSet

    client.force_login(admin_user)
    url = reverse("workbench:label", args=[history[0].pk])
    for bad in ("-1", "abc", "99"):
        response = client.post(url, {"n-1-rep_affirmation": bad})
        assert response.status_code == 400 and "whole numbers from 0 to 20" in response.content.decode()
    assert not LabelledSet.objects.exists()
    assert client.get(reverse("workbench:label", args=[999999])).status_code == 404


@pytest.mark.django_db
@pytest.mark.real_engine
def test_a_cancelled_preview_stops_its_slices_and_says_so(history, admin_user, client):
    from coaching.workbench.preview import preview_create, preview_part

    svc.draft_rule_save(actor=admin_user, data=KANSAI_RULE)
    preview, parts = preview_create(user=admin_user)
    client.force_login(admin_user)
    response = client.post(reverse("workbench:preview_cancel", args=[preview.pk]))
    assert response.status_code == 302
    for index, ids in enumerate(parts):  # the workers pick the slices up after the cancel
        preview_part(preview.pk, index, ids)
    preview.refresh_from_db()
    assert preview.status == "cancelled" and preview.scanned == 0
    assert (
        'data-status="cancelled"'
        in client.get(reverse("workbench:preview", args=[preview.pk])).content.decode()
    )
