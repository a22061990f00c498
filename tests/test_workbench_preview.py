"""A preview says exactly what publishing the draft does: for every kind of edit, its moments
added and removed per behaviour equal the difference a publish and full rescore leave in the
stored moments (the preview re-matches only the turns a changed rule touches)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from coaching.engine.types import PREMATURE_PROPOSAL
from coaching.models import Moment, PreviewJob
from coaching.selectors import rule_dict_from_row
from coaching.services import meetings_rescore, scoring_rules_active
from coaching.workbench import services as svc
from coaching.workbench.preview import preview_start
from tests.workbench_helpers import stored_meeting

EVAL = Path(__file__).parent / "data" / "eval"


def _rule(key):
    from coaching.models import PhraseRule

    return rule_dict_from_row(PhraseRule.objects.select_related("behaviour").get(key=key))


def _edit_rule(key, **changes):
    def apply(admin):
        data = _rule(key)
        original = data["key"]
        for k, v in changes.items():
            data[k] = v(data.get(k)) if callable(v) else v
        svc.draft_rule_save(actor=admin, data=data, original_key=original)

    return apply


def _add_rule(data):
    return lambda admin: svc.draft_rule_save(actor=admin, data=data)


def _count_mode(key, mode):
    return lambda admin: svc.behaviour_save(actor=admin, key=key, data={"count": mode})


EDITS = {  # each changes some moments of the dev + heldout meetings
    "a phrase gains an alternative": _edit_rule("ja-aff-hai", pattern=lambda p: p + "|ありがとうございます"),
    "a phrase rule is switched off": _edit_rule("ja-aff-naruhodo", enabled=False),
    "a token pattern loses its speaker": _edit_rule("ja-aff-ee", speaker=None),
    "a token pattern loses a guard": _edit_rule("ja-aff-ee", unless_followed_by=None),
    "a rule goes and another match wins the turn": _edit_rule("ja-ask-cheaper", enabled=False),
    "a new veto": _add_rule(
        {
            "key": "ja-aff-veto-naruhodo",
            "behaviour": "rep_affirmation",
            "language": "ja",
            "kind": "regex",
            "pattern": "なるほど",
            "veto": True,
        }
    ),
    "an English regex is switched off": _edit_rule("en-prop-quote", enabled=False),
    "a new English proposal rule": _add_rule(
        {
            "key": "en-proposal-we-can",
            "behaviour": "rep_proposal",
            "language": "en",
            "kind": "regex",
            "pattern": r"(?i)\b(?:we|I) (?:can|could) (?:offer|set up|start)\b",
            "speaker": "rep",
        }
    ),
    "affirmations counted once per turn": _count_mode("rep_affirmation", "per_turn"),
    "case studies counted per match": _count_mode("rep_case_study", "per_match"),
}


@pytest.fixture
def labelled_history(alice):
    meetings = []
    lines_of = (EVAL / name for name in ("dev.jsonl", "heldout.jsonl"))
    for line in (line for path in lines_of for line in path.read_text(encoding="utf-8").splitlines()):
        m = json.loads(line)
        lines = [(t["speaker"], t["text"]) for t in m["turns"]]
        meetings.append(stored_meeting(alice, lines, m["id"], m["language"]))
    return meetings


def _stored():
    return Counter(
        Moment.objects.values_list("meeting_id", "behaviour_key", "turn_index", "char_start", "char_end")
    )


@pytest.mark.django_db
@pytest.mark.real_engine
@pytest.mark.parametrize("edit", list(EDITS))
def test_preview_predicts_exactly_what_publishing_the_draft_changes(edit, labelled_history, admin_user):
    EDITS[edit](admin_user)
    preview = preview_start(user=admin_user, run_now=True)
    assert preview.status == PreviewJob.Status.DONE and preview.scanned == len(labelled_history)

    before = _stored()
    svc.ruleset_publish(actor=admin_user, comment=edit, rescore=False)
    meetings_rescore(meeting_ids=[m.pk for m in labelled_history], rules=scoring_rules_active())
    after = _stored()

    added = Counter(k[1] for k in (after - before).elements())
    removed = Counter(k[1] for k in (before - after).elements())
    assert added or removed, "the edit must change something on the labelled meetings"
    for behaviour, counts in preview.result["behaviours"].items():
        assert (counts["added"], counts["removed"]) == (added[behaviour], removed[behaviour]), behaviour
        assert counts["after"] == sum(1 for k in after.elements() if k[1] == behaviour)
    assert set(added) | set(removed) <= set(preview.result["changed"])
    # the sample shows the draft's hits where the change matters, newly added ones flagged
    assert all(s["behaviour"] in preview.result["changed"] for s in preview.result["sample"])
    matched_added = sum(n for b, n in added.items() if b != PREMATURE_PROPOSAL)
    assert any(s["added"] for s in preview.result["sample"]) == bool(matched_added)


@pytest.mark.django_db
@pytest.mark.real_engine
def test_a_draft_equal_to_the_published_version_touches_nothing(labelled_history, admin_user):
    preview = preview_start(user=admin_user, run_now=True)
    assert preview.status == PreviewJob.Status.DONE
    assert preview.result["changed"] == [] and preview.result["touched_meetings"] == 0
