"""Rule packs: load, validate and compile rules that admins edit as data."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from coaching.engine.types import POSITIONS, RULE_KINDS, SPEAKERS, Rule, RuleError

DEFAULT_PACK = Path(__file__).resolve().parent.parent / "rulepacks" / "default.yaml"
MAX_PATTERN_CHARS = 2000
MAX_REGEX_PROGRAM = 6000  # RE2 program size: keeps one rule from costing more than hundreds of phrases
REGEX_FIELDS = (  # the constraints that hold a regex (validated, offered in the workbench form)
    "unless_followed_by",
    "unless_preceded_by",
    "requires_in_turn",
    "requires_after",
    "requires_before",
    "unless_in_turn",
)


@functools.lru_cache(maxsize=4096)
def compile_regex(pattern: str) -> Any:
    """Compile with RE2 (linear time, no backreferences or lookaround); refuse what it cannot run."""
    import re2

    if len(pattern) > MAX_PATTERN_CHARS:
        raise RuleError(f"Pattern is too long ({len(pattern)} characters, at most {MAX_PATTERN_CHARS}).")
    options = re2.Options()
    options.log_errors = False
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise RuleError(
            f"RE2 cannot use this regular expression ({detail}). Backreferences such as \\1 and "
            "lookahead/lookbehind are not supported, because matching must stay linear in time."
        ) from None
    if compiled.programsize > MAX_REGEX_PROGRAM:
        raise RuleError(
            f"Regular expression is too large (RE2 program size {compiled.programsize}, "
            f"at most {MAX_REGEX_PROGRAM}); split it into several rules."
        )
    return compiled


# RE2 runs a set of regexes as one DFA built lazily in a memory budget. With the default 8 MB a
# rule pack's ~90 regexes (bounded repeats such as [^。]{0,20}) overflow it and RE2 keeps
# throwing its cache away: 130 ms a meeting instead of 0.3 ms. 64 MB is twice what they use.
REGEX_SET_MAX_MEM = 64 << 20


def alternatives(pattern: str) -> list[str]:
    """The alternatives of a phrase or reading rule ("はい|ええ"), trimmed, empty ones dropped."""
    return [p.strip() for p in pattern.split("|") if p.strip()]


def compile_regex_set(patterns: Sequence[str]) -> Any:
    """One RE2 set that says which of the patterns occur in a text (None if RE2 refuses it)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = REGEX_SET_MAX_MEM
    regex_set = re2.Set.SearchSet(options)
    try:
        for pattern in patterns:
            regex_set.Add(pattern)
        regex_set.Compile()
    except Exception:  # too large even for the budget: callers run each regex instead
        return None
    return regex_set


def validate_rule(rule: Rule) -> Rule:
    if rule.kind not in RULE_KINDS:
        raise RuleError(f"{rule.key}: unknown kind {rule.kind!r} (use one of {', '.join(RULE_KINDS)}).")
    if rule.language not in ("ja", "en"):
        raise RuleError(f"{rule.key}: language must be ja or en.")
    if rule.speaker not in (None, *SPEAKERS):
        raise RuleError(f"{rule.key}: speaker must be rep, customer or empty.")
    if rule.position not in POSITIONS:
        raise RuleError(f"{rule.key}: position must be one of {', '.join(POSITIONS)}.")
    if rule.kind == "reading" and rule.language != "ja":
        raise RuleError(f"{rule.key}: reading (kana) rules are for Japanese only.")
    if rule.kind == "pattern":
        if not isinstance(rule.pattern, list) or not all(isinstance(t, dict) for t in rule.pattern):
            raise RuleError(f"{rule.key}: a token pattern is a list of token descriptions.")
        if len(json.dumps(rule.pattern, ensure_ascii=False)) > MAX_PATTERN_CHARS:
            raise RuleError(f"{rule.key}: token pattern is too long.")
        from coaching.engine.patterns import check_token_pattern

        try:
            check_token_pattern(rule.pattern)
        except RuleError as exc:
            raise RuleError(f"{rule.key}: {exc}") from None
    else:
        if not isinstance(rule.pattern, str) or not rule.pattern.strip():
            raise RuleError(f"{rule.key}: pattern must be non-empty text.")
        if len(rule.pattern) > MAX_PATTERN_CHARS:
            raise RuleError(f"{rule.key}: pattern is too long (at most {MAX_PATTERN_CHARS} characters).")
    try:
        if rule.kind == "regex":
            assert isinstance(rule.pattern, str)  # checked above: only "pattern" rules are lists
            compile_regex(rule.pattern)
        for name in REGEX_FIELDS:
            if getattr(rule, name):
                compile_regex(getattr(rule, name))
    except RuleError as exc:
        raise RuleError(f"{rule.key}: {exc}") from None
    return rule


_FIELDS = {f.name for f in dataclasses.fields(Rule)}


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    unknown = set(data) - _FIELDS
    if unknown:
        raise RuleError(f"{data.get('key', '?')}: unknown rule settings {', '.join(sorted(unknown))}.")
    return validate_rule(Rule(**data))


def rule_as_dict(rule: Rule) -> dict[str, Any]:
    defaults = {f.name: f.default for f in dataclasses.fields(Rule)}
    return {
        k: v
        for k, v in dataclasses.asdict(rule).items()
        if k in ("key", "behaviour", "language", "kind", "pattern") or v != defaults[k]
    }


@dataclasses.dataclass(frozen=True)
class RulePack:
    version: str
    behaviours: dict[str, dict[str, Any]]
    rules: tuple[Rule, ...]


def parse_pack(data: Mapping[str, Any]) -> RulePack:
    if "version" not in data:
        raise RuleError("A rule pack needs a version.")
    behaviours = dict(data.get("behaviours") or {})
    rules: list[Rule] = []
    seen: set[str] = set()
    for raw in data.get("rules") or []:
        rule = rule_from_dict(raw)
        if rule.key in seen:
            raise RuleError(f"{rule.key}: duplicate rule key.")
        seen.add(rule.key)
        rules.append(rule)
    return RulePack(version=str(data["version"]), behaviours=behaviours, rules=tuple(rules))


def load_pack(path: str | Path = DEFAULT_PACK) -> RulePack:
    import yaml

    with open(path, encoding="utf-8") as fh:
        return parse_pack(yaml.safe_load(fh))


@functools.cache
def default_pack() -> RulePack:
    return load_pack(DEFAULT_PACK)


def rules_for(rules: Iterable[Rule], language: str) -> tuple[Rule, ...]:
    return tuple(r for r in rules if r.enabled and r.language == language)


def count_modes(pack: RulePack | None = None) -> dict[str, str]:
    pack = pack or default_pack()
    return {k: str(v.get("count", "per_match")) for k, v in pack.behaviours.items()}
