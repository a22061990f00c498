"""Reads for coaching: the active rule version as engine data, the draft, moments and scores."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from coaching.engine.rules import RuleError, rule_as_dict, rule_from_dict
from coaching.engine.types import Rule
from coaching.models import Behaviour, Moment, PhraseRule, RescoreJob, RuleSet

_RULE_CORE = ("key", "behaviour", "language", "kind", "pattern", "enabled", "note")


def rule_from_row(row: PhraseRule) -> Rule:
    return rule_from_dict(rule_dict_from_row(row))


def rule_dict_from_row(row: Any, behaviour_key: str | None = None) -> dict[str, Any]:
    return {
        "key": row.key,
        "behaviour": behaviour_key or row.behaviour.key,
        "language": row.language,
        "kind": row.kind,
        "pattern": row.pattern,
        "enabled": row.enabled,
        "note": row.note,
        **(row.constraints or {}),
    }


def behaviour_as_dict(b: Any) -> dict[str, Any]:
    return {
        "name": {"ja": b.name_ja, "en": b.name_en},
        "description": {"ja": b.description_ja, "en": b.description_en},
        "count": b.count,
        "builtin": bool(b.is_builtin),
    }


def snapshot_from_rows(behaviour_model: Any = Behaviour, rule_model: Any = PhraseRule) -> dict[str, Any]:
    """The draft (Behaviour and PhraseRule rows) as a snapshot: what a version stores.

    Rules are normalised through the engine (defaults dropped) so that equal drafts give equal
    snapshots. Models are parameters so data migrations can pass historical ones.
    """
    behaviours = {b.key: behaviour_as_dict(b) for b in behaviour_model.objects.order_by("id")}
    keys = dict(behaviour_model.objects.values_list("id", "key"))
    rules = []
    for row in rule_model.objects.order_by("behaviour_id", "language", "id"):
        data = rule_dict_from_row(row, keys[row.behaviour_id])
        with contextlib.suppress(RuleError):  # kept as typed; publishing validates and refuses it
            data = rule_as_dict(rule_from_dict(data))
        rules.append(data)
    return {"behaviours": behaviours, "rules": rules}


def draft_snapshot() -> dict[str, Any]:
    return snapshot_from_rows()


def snapshot_rules(snapshot: dict[str, Any], language: str | None = None) -> list[Rule]:
    """Enabled engine rules of a snapshot (optionally one language)."""
    rules = [rule_from_dict(r) for r in snapshot.get("rules", [])]
    return [r for r in rules if r.enabled and (language is None or r.language == language)]


def snapshot_count_modes(snapshot: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(per_turn, per_sentence) behaviour keys of a snapshot."""
    modes = {k: v.get("count", "per_match") for k, v in snapshot.get("behaviours", {}).items()}
    return {k for k, v in modes.items() if v == "per_turn"}, {
        k for k, v in modes.items() if v == "per_sentence"
    }


def snapshot_key(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True)


def active_rule_version() -> RuleSet | None:
    """The published version scoring runs with (None before any is published).

    Trend pages show it: "Numbers from rules version {{ v.number }} ({{ v.created_at }})"."""
    return RuleSet.objects.filter(is_active=True).select_related("author").first()


def rules_version_status() -> tuple[RuleSet | None, RescoreJob | None]:
    """The active version without its (large) snapshot, and a rescore still under way: what
    trend pages say about where their numbers come from."""
    version = RuleSet.objects.filter(is_active=True).only("number", "created_at").first()
    job = RescoreJob.objects.filter(status__in=RescoreJob.UNFINISHED).select_related("ruleset").first()
    return version, job


def rules_active(language: str | None = None) -> list[Rule]:
    """Rules of the active version; the draft rows when nothing is published yet."""
    active = active_rule_version()
    if active is not None:
        return snapshot_rules(active.snapshot, language)
    qs = PhraseRule.objects.filter(enabled=True).select_related("behaviour")
    if language:
        qs = qs.filter(language=language)
    return [rule_from_row(r) for r in qs]


def count_modes_active() -> tuple[set[str], set[str]]:
    active = active_rule_version()
    if active is not None:
        return snapshot_count_modes(active.snapshot)
    modes = dict(Behaviour.objects.values_list("key", "count"))
    return {k for k, v in modes.items() if v == "per_turn"}, {
        k for k, v in modes.items() if v == "per_sentence"
    }


def draft_differs_from_active() -> bool:
    active = active_rule_version()
    return active is None or snapshot_key(active.snapshot) != snapshot_key(draft_snapshot())


def moments_for_meeting(meeting: Any) -> list[Moment]:
    return list(Moment.objects.filter(meeting=meeting).order_by("turn_index", "char_start"))
