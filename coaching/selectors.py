"""Reads for coaching: active rules as engine data, moments and scores of a meeting."""

from __future__ import annotations

from typing import Any

from coaching.engine.rules import rule_from_dict
from coaching.engine.types import Rule
from coaching.models import Moment, PhraseRule


def rule_from_row(row: PhraseRule) -> Rule:
    return rule_from_dict(
        {
            "key": row.key,
            "behaviour": row.behaviour.key,
            "language": row.language,
            "kind": row.kind,
            "pattern": row.pattern,
            "enabled": row.enabled,
            "note": row.note,
            **(row.constraints or {}),
        }
    )


def rules_active(language: str | None = None) -> list[Rule]:
    qs = PhraseRule.objects.filter(enabled=True).select_related("behaviour")
    if language:
        qs = qs.filter(language=language)
    return [rule_from_row(r) for r in qs]


def moments_for_meeting(meeting: Any) -> list[Moment]:
    return list(Moment.objects.filter(meeting=meeting).order_by("turn_index", "char_start"))
