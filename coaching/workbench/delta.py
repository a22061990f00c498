"""What a draft changes, rule by rule, against the published version.

A preview must tell what publishing the draft would do to every stored meeting, in seconds. A
behaviour's moments in one turn depend only on the matches of its rules in that turn (the
constraints read the turn before, which is stored as it is). So only the turns where a rule that
differs can match may change: the delta rules below find them, RE2 probes built from the same
rules skip meetings where none can match, and everything else keeps its stored moments.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from coaching.engine.fast import US
from coaching.engine.nlp import tokenise
from coaching.engine.patterns import TokenPattern
from coaching.engine.rules import alternatives, compile_regex_set, rule_from_dict
from coaching.engine.types import Rule


@dataclass(frozen=True)
class Delta:
    """behaviours: those whose moments may change; rules: the draft's rules of those behaviours
    (what re-matching runs); touching: rules whose raw matches mark the turns to re-match."""

    behaviours: frozenset[str]
    rules: tuple[Rule, ...]
    touching: tuple[Rule, ...]


def _enabled(snapshot: dict[str, Any] | None) -> dict[str, Rule]:
    rules = (rule_from_dict(r) for r in (snapshot or {}).get("rules", []))
    return {r.key: r for r in rules if r.enabled}


def _modes(snapshot: dict[str, Any] | None) -> dict[str, str]:
    return {k: v.get("count", "per_match") for k, v in (snapshot or {}).get("behaviours", {}).items()}


def _same_but_alternatives(old: Rule, new: Rule) -> bool:
    return (
        old.kind == new.kind
        and old.kind in ("phrase", "reading")
        and dataclasses.replace(old, pattern="", note="") == dataclasses.replace(new, pattern="", note="")
    )


def draft_delta(draft: dict[str, Any], base: dict[str, Any] | None) -> Delta:
    """The rules that can make a draft's moments differ from the base version's.

    A rule added, removed or changed touches where it matches (old and new form); a phrase rule
    that only gained or lost alternatives touches where those alternatives match; a behaviour
    whose counting changed touches wherever any of its rules match."""
    new, old = _enabled(draft), _enabled(base)
    touching: list[Rule] = []
    for key in new.keys() | old.keys():
        a, b = old.get(key), new.get(key)
        if (
            a is not None
            and b is not None
            and dataclasses.replace(a, note="") == dataclasses.replace(b, note="")
        ):
            continue
        if a is not None and b is not None and _same_but_alternatives(a, b):
            differ = set(alternatives(a.pattern)) ^ set(alternatives(b.pattern))
            if differ:
                touching.append(dataclasses.replace(b, pattern="|".join(sorted(differ))))
            continue
        touching.extend(r for r in (a, b) if r is not None)
    new_modes, old_modes = _modes(draft), _modes(base)
    recount = {k for k in new_modes.keys() | old_modes.keys() if new_modes.get(k) != old_modes.get(k)}
    touching.extend(r for r in (*old.values(), *new.values()) if r.behaviour in recount)
    behaviours = frozenset(r.behaviour for r in touching)
    return Delta(
        behaviours=behaviours,
        rules=tuple(sorted((r for r in new.values() if r.behaviour in behaviours), key=lambda r: r.key)),
        touching=tuple({repr(r): r for r in touching}.values()),  # token patterns are lists: no hash
    )


def probes(rule: Rule) -> list[str] | None:
    """RE2 patterns of which one occurs in a meeting's search text (engine.fast.search_text)
    wherever the rule can match; None when no such probe exists (every meeting may match)."""
    if rule.kind == "regex":
        return None if rule.field == "norm" else ["(?m)" + rule.pattern]
    if rule.kind in ("phrase", "reading"):
        out = []
        for toks in tokenise(sorted(set(alternatives(rule.pattern))), rule.language):
            values = [t[2] for t in toks] if rule.kind == "phrase" else [t[5] or t[0] for t in toks]
            if values:
                out.append(re.escape(US + US.join(values) + US))
        return out
    anchor = TokenPattern(rule.pattern).anchor
    if anchor is None:
        return None
    field, words = anchor
    if field in ("norm", "lemma"):
        return [re.escape(US + v + US) for v in words]
    return ["(?i)" + re.escape(v) for v in words]


def probe_set(rules: tuple[Rule, ...]) -> Any:
    """One compiled RE2 set of every rule's probes, or None when some rule has none (or RE2
    refuses the set): then every meeting is a candidate."""
    patterns: list[str] = []
    for r in rules:
        p = probes(r)
        if p is None:
            return None
        patterns.extend(p)
    # rules that can match nothing get a probe that never does
    return compile_regex_set(patterns or [r"[^\s\S]"])
