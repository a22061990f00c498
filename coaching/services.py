"""Writes for coaching: install rule packs, analyse a meeting, rescore from cached tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from coaching.engine import analyse_turns, moment_as_json, turns_from_segments
from coaching.engine.matching import TokenisedTurns, tokenise_turns
from coaching.engine.nlp import TOKENISER_VERSION, detect_language
from coaching.engine.rules import RulePack, load_pack, rule_as_dict
from coaching.engine.types import Analysis, Turn
from coaching.models import Behaviour, MeetingScore, MeetingTokens, Moment, PhraseRule, RulePackVersion

_RULE_CORE = ("key", "behaviour", "language", "kind", "pattern", "enabled", "note")


def rule_pack_install(*, pack: RulePack, name: str = "default", models: Any = None) -> int:
    """Install a pack's behaviours and rules; rules an admin edited (pack blank) are kept.

    Returns how many rules were written. `models` lets a data migration pass historical models.
    """
    behaviour_model = models.Behaviour if models else Behaviour
    rule_model = models.PhraseRule if models else PhraseRule
    version_model = models.RulePackVersion if models else RulePackVersion
    tag = f"{name}@{pack.version}"
    written = 0
    with transaction.atomic():
        for key, meta in pack.behaviours.items():
            behaviour_model.objects.update_or_create(
                key=key,
                defaults={
                    "name_ja": (meta.get("name") or {}).get("ja", key),
                    "name_en": (meta.get("name") or {}).get("en", key),
                    "description_ja": (meta.get("description") or {}).get("ja", ""),
                    "description_en": (meta.get("description") or {}).get("en", ""),
                    "count": meta.get("count", "per_match"),
                    "is_builtin": True,
                },
            )
        behaviours = {b.key: b for b in behaviour_model.objects.all()}
        for rule in pack.rules:
            existing = rule_model.objects.filter(key=rule.key).first()
            if existing is not None and not existing.pack:
                continue  # hand-edited: the admin's version wins
            data = rule_as_dict(rule)
            constraints = {k: v for k, v in data.items() if k not in _RULE_CORE}
            rule_model.objects.update_or_create(
                key=rule.key,
                defaults={
                    "behaviour": behaviours[rule.behaviour],
                    "language": rule.language,
                    "kind": rule.kind,
                    "pattern": rule.pattern,
                    "constraints": constraints,
                    "enabled": rule.enabled if existing is None else existing.enabled,
                    "pack": tag,
                    "note": rule.note,
                },
            )
            written += 1
        version_model.objects.get_or_create(name=name, version=pack.version)
    return written


def rule_pack_install_default(*, path: str | None = None) -> int:
    return rule_pack_install(pack=load_pack(path) if path else load_pack())


def _count_modes() -> tuple[set[str], set[str]]:
    modes = dict(Behaviour.objects.values_list("key", "count"))
    return {k for k, v in modes.items() if v == "per_turn"}, {
        k for k, v in modes.items() if v == "per_sentence"
    }


def _language_of(meeting: Any, turns: list[Turn]) -> str:
    return meeting.effective_language or detect_language(" ".join(t.text for t in turns[:200]))


def kpi_options() -> dict[str, float]:
    """The KPI settings (listening window) as keyword arguments for compute_kpis/analyse_turns."""
    return {
        "window_fraction": settings.AIZUCHI_LISTENING_WINDOW_FRACTION,
        "window_min_minutes": settings.AIZUCHI_LISTENING_WINDOW_MIN_MINUTES,
        "window_max_minutes": settings.AIZUCHI_LISTENING_WINDOW_MAX_MINUTES,
    }


def _store(meeting: Any, analysis: Analysis) -> None:
    k = analysis.kpis
    Moment.objects.filter(meeting=meeting).delete()
    Moment.objects.bulk_create(
        Moment(
            meeting=meeting,
            behaviour_key=m.behaviour,
            turn_index=m.turn,
            char_start=m.char_start,
            char_end=m.char_end,
            time=m.time,
            text=m.text[:500],
            rule_key=m.rule[:100],
        )
        for m in analysis.moments
    )
    versions = sorted(RulePackVersion.objects.values_list("version", flat=True))
    MeetingScore.objects.update_or_create(
        meeting=meeting,
        defaults={
            "language": analysis.language,
            "kpis": k,
            "rules_version": versions[-1] if versions else "",
            "asks": k["customer_asks_for_proposal_count"],
            "affirmations": k["rep_affirmation_count"],
            "case_studies": k["rep_case_study_count"],
            "proposals": k["rep_proposal_count"],
            "premature_proposals": k["premature_proposal_count"],
            "affirmations_per_customer_minute": k["affirmations_per_customer_minute"],
            "listening_window_customer_share": k["listening_window_customer_share"],
            "rep_talk_share": k["rep_talk_share"],
            "ask_to_proposal_latency_median": k["ask_to_proposal_latency_median"],
        },
    )


def transcript_analyse(*, segments: list[dict[str, Any]], language: str) -> dict[str, Any]:
    """Moments and KPIs, JSON-ready, for a transcript that is not stored (the analyze command),
    with the active rules and the same KPI settings as stored meetings."""
    turns = turns_from_segments(segments)
    language = language or detect_language(" ".join(t.text for t in turns[:200]))
    analysis = analyse_turns(turns, language=language, **kpi_options())
    return {"moments": [moment_as_json(m) for m in analysis.moments], "kpis": analysis.kpis}


def meeting_analyse(*, meeting: Any) -> None:
    """Detect moments and compute scores from the meeting's segments; replaces earlier results."""
    segments = meeting.segments.order_by("index").values("index", "start", "end", "text", "speaker")
    turns = turns_from_segments(segments)
    language = _language_of(meeting, turns)
    tokens = tokenise_turns(turns, language)
    _analyse_and_store(meeting, turns, language, tokens, cache=True)


def meeting_rescore(*, meeting: Any) -> bool:
    """Re-match current rules on the cached tokens (no tokenising). False when there is no cache."""
    cached = MeetingTokens.objects.filter(meeting=meeting, tokeniser=TOKENISER_VERSION).first()
    if cached is None:
        return False
    turns = [
        Turn(i, t.get("speaker") or None, t["text"], t.get("start"), t.get("end"))
        for i, t in enumerate(cached.turns)
    ]
    tokens = TokenisedTurns(cached.language, tuple(tuple(tuple(x) for x in toks) for toks in cached.tokens))
    _analyse_and_store(meeting, turns, cached.language, tokens, cache=False)
    return True


def _analyse_and_store(
    meeting: Any, turns: list[Turn], language: str, tokens: TokenisedTurns, *, cache: bool
) -> None:
    from coaching.selectors import rules_active

    per_turn, per_sentence = _count_modes()
    rules = rules_active(language)
    analysis = analyse_turns(
        turns,
        language=language,
        rules=rules,
        tokens=tokens,
        per_turn=per_turn,
        per_sentence=per_sentence,
        **kpi_options(),
    )
    with transaction.atomic():
        _store(meeting, analysis)
        if cache:
            MeetingTokens.objects.update_or_create(
                meeting=meeting,
                defaults={
                    "language": language,
                    "tokeniser": TOKENISER_VERSION,
                    "turns": [
                        {"speaker": t.speaker, "text": t.text, "start": t.start, "end": t.end} for t in turns
                    ],
                    "tokens": [list(map(list, toks)) for toks in tokens.tokens],
                },
            )
