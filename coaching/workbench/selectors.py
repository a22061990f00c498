"""Reads of the rule workbench: the sentence tester, accuracy on labelled sets, lists."""

from __future__ import annotations

from collections import Counter
from typing import Any

from coaching.engine import Turn, find_moments
from coaching.engine.matching import compiled, tokenise_turns
from coaching.engine.rules import rule_from_dict
from coaching.engine.scoring import labels_from_moments, meeting_from_json, score
from coaching.models import (
    AuditLog,
    Behaviour,
    DetectorVersion,
    LabelledSet,
    MeetingTokens,
    Moment,
    PhraseRule,
    RescoreJob,
    RuleSet,
)
from coaching.selectors import active_rule_version, draft_snapshot, snapshot_count_modes, snapshot_rules


def behaviours_with_rules() -> list[dict[str, Any]]:
    """The draft by behaviour and language, for the workbench's main page."""
    rows = list(PhraseRule.objects.select_related("behaviour").order_by("language", "id"))
    out = []
    for b in Behaviour.objects.order_by("id"):
        rules = [r for r in rows if r.behaviour_id == b.pk]
        out.append(
            {
                "behaviour": b,
                "ja": [r for r in rules if r.language == "ja"],
                "en": [r for r in rules if r.language == "en"],
            }
        )
    return out


def sentence_test(*, text: str, language: str, speaker: str, previous: str = "") -> dict[str, Any]:
    """Whether and why a sentence matches the draft: its tokens, normalised form, the rules
    whose pattern matched and whether their constraints let the match count."""
    snapshot = draft_snapshot()
    rules = snapshot_rules(snapshot, language)
    per_turn, per_sentence = snapshot_count_modes(snapshot)
    other = "customer" if speaker == "rep" else "rep"
    turns = ([Turn(0, other, previous)] if previous.strip() else []) + [Turn(0, speaker or None, text)]
    turns = [Turn(i, t.speaker, t.text) for i, t in enumerate(turns)]
    tt = tokenise_turns(turns, language)
    moments = [
        m
        for m in find_moments(
            turns, rules, language=language, tokens=tt, per_turn=per_turn, per_sentence=per_sentence
        )
        if m.turn == len(turns) - 1
    ]
    fired = {m.rule for m in moments}
    cr = compiled(rules, language)
    raw = [
        (cr.rules[ri], s, e)
        for ri, ti, s, e in cr.raw_matches(tt, [t.text for t in turns])
        if ti == len(turns) - 1
    ]
    matched = []
    for rule, s, e in raw:
        matched.append(
            {
                "key": rule.key,
                "behaviour": rule.behaviour,
                "kind": rule.kind,
                "veto": rule.veto,
                "text": text[s:e],
                "counted": rule.key in fired,
            }
        )
    last = tt.tokens[-1]
    return {
        "tokens": [{"text": t[0], "norm": t[2], "lemma": t[3], "pos": t[4], "reading": t[5]} for t in last],
        "normalised": "".join(t[2] + (" " if t[1] and language != "ja" else "") for t in last),
        "moments": [{"behaviour": m.behaviour, "text": m.text, "rule": m.rule} for m in moments],
        "matched": matched,
    }


def accuracy_compare(*, meetings_json: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall and F1 of the draft and of the published rules on labelled meetings."""
    meetings = [meeting_from_json(m) for m in meetings_json]
    draft = draft_snapshot()
    active = active_rule_version()
    out: dict[str, Any] = {}
    for name, snap in (("draft", draft), ("published", active.snapshot if active else draft)):
        rules = snapshot_rules(snap)
        per_turn, per_sentence = snapshot_count_modes(snap)
        behaviours = list(snap.get("behaviours", {}))
        preds = {
            m.id: labels_from_moments(
                find_moments(
                    m.turns, rules, language=m.language, per_turn=per_turn, per_sentence=per_sentence
                ),
                behaviours,
            )
            for m in meetings
        }
        report, _ = score(meetings, preds, behaviours)
        out[name] = report
    rows = []
    for lang, bs in out["draft"].items():
        for b, s in bs.items():
            p = out["published"].get(lang, {}).get(b, {})
            if s["support"] or p.get("support") or s["precision"] < 1:
                rows.append({"language": lang, "behaviour": b, "draft": s, "published": p})
    return {"rows": rows}


def rule_validate(data: dict[str, Any]) -> Any:
    return rule_from_dict(data)


def versions() -> list[RuleSet]:
    return list(RuleSet.objects.select_related("author").order_by("-number"))


def latest_job() -> RescoreJob | None:
    return RescoreJob.objects.select_related("ruleset").first()


def audit_log(limit: int = 200) -> list[AuditLog]:
    return list(AuditLog.objects.select_related("actor")[:limit])


MARKED_SET = "Marked on stored meetings"  # the labelled set that meetings marked here go to


def label_sheet(*, meeting_id: int, set_name: str = MARKED_SET) -> dict[str, Any] | None:
    """A stored meeting's turns with, per turn and behaviour, how many times it happens: as
    marked before in the set, else as the published rules detected it (the admin corrects)."""
    cache = MeetingTokens.objects.select_related("meeting").filter(meeting_id=meeting_id).first()
    if cache is None:
        return None
    behaviours = list(Behaviour.objects.order_by("id"))
    keys = [b.key for b in behaviours]
    entry_id = label_entry_id(meeting_id)
    labelled = LabelledSet.objects.filter(name=set_name).first()
    marked = next((m for m in (labelled.meetings if labelled else []) if m.get("id") == entry_id), None)
    if marked is not None:
        counts = Counter((t, b) for b, turns in marked.get("labels", {}).items() for t in turns)
    else:
        counts = Counter(
            Moment.objects.filter(meeting_id=meeting_id, behaviour_key__in=keys).values_list(
                "turn_index", "behaviour_key"
            )
        )
    return {
        "meeting": cache.meeting,
        "language": cache.language,
        "marked_before": marked is not None,
        "behaviours": [(b.key, b.name) for b in behaviours],
        "rows": [
            {"index": i, "turn": t, "counts": [(k, counts[(i, k)]) for k in keys]}
            for i, t in enumerate(cache.turns)
        ],
    }


def label_entry_id(meeting_id: int) -> str:
    return f"meeting-{meeting_id}"


def detector_versions() -> list[DetectorVersion]:
    return list(DetectorVersion.objects.defer("data").select_related("created_by"))


def report_rows(version: DetectorVersion) -> list[dict[str, Any]]:
    """The held-out report as table rows: per language and behaviour, the three detectors."""
    rows = []
    for language, per_behaviour in sorted((version.report.get("behaviours") or {}).items()):
        for behaviour, row in per_behaviour.items():
            held = row.get("held_out") or {}
            support = (held.get("rules") or {}).get("support", 0)
            if not support and not row.get("training_positives"):
                continue
            rows.append(
                {
                    "language": language,
                    "behaviour": behaviour,
                    "head": row.get("head", ""),
                    "positives": row.get("training_positives", 0),
                    "support": support,
                    "detectors": [held.get(d) or {} for d in ("rules", "rules+base", "rules+company")],
                }
            )
    return rows


def turns_to_label(*, model: Any, limit: int = 10, meetings: int = 200) -> list[dict[str, Any]]:
    """Active labelling: the turns of recent stored meetings the model is least sure about
    (score nearest its threshold), not yet marked; labelling these buys the most recall."""
    if model is None:
        return []
    marked = LabelledSet.objects.filter(name=MARKED_SET).values_list("meetings", flat=True).first() or []
    done = {m.get("id") for m in marked}
    candidates = []
    rows = MeetingTokens.objects.order_by("-meeting_id").values_list(
        "meeting_id", "language", "model_scores"
    )[:meetings]
    for meeting_id, language, cached in rows:
        if not cached or cached.get("model") != model.digest or label_entry_id(meeting_id) in done:
            continue
        for behaviour, probs in (cached.get("values") or {}).items():
            head = model.heads.get((language, behaviour))
            if head is None:
                continue
            for i, p in enumerate(probs):
                if p is not None:
                    candidates.append((abs(p - head.threshold), meeting_id, i, behaviour, p))
    candidates.sort()
    picked = candidates[:limit]
    turns = dict(
        MeetingTokens.objects.filter(meeting_id__in={c[1] for c in picked}).values_list("meeting_id", "turns")
    )
    return [
        {"meeting_id": mid, "turn": i, "behaviour": b, "score": p, "text": turns[mid][i]["text"]}
        for _, mid, i, b, p in picked
        if i < len(turns.get(mid, []))
    ]
