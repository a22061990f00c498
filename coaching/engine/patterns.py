"""Token patterns (spaCy Matcher syntax) matched without spaCy: the validator that says which
patterns the fast path evaluates exactly as spaCy's Matcher would, and a small all-matches NFA.

Rules validate their patterns here (rules.py), so an admin never saves a pattern the fast
matcher would match differently from the spaCy reference.
"""

from __future__ import annotations

from typing import Any

from coaching.engine.rules import RuleError

# Token-pattern keys the fast matcher (and so the rule validator) accepts.
PATTERN_ATTRS = ("ORTH", "TEXT", "NORM", "LOWER", "LEMMA", "POS")
PATTERN_OPS = ("?", "*", "+", "!")


def _attr_field(attr: str) -> str:
    return {"ORTH": "orth", "TEXT": "orth", "NORM": "norm", "LOWER": "lower", "LEMMA": "lemma", "POS": "pos"}[
        attr
    ]


def check_token_pattern(pattern: Any) -> None:
    """Refuse what the fast matcher cannot evaluate exactly as spaCy's Matcher would."""
    for spec in pattern:
        for key, value in spec.items():
            if key == "OP":
                if value not in PATTERN_OPS:
                    raise RuleError(
                        f"operator {value!r} is not supported (use one of {' '.join(PATTERN_OPS)})."
                    )
                continue
            if key not in PATTERN_ATTRS:
                raise RuleError(f"token attribute {key} is not supported (use {', '.join(PATTERN_ATTRS)}).")
            if isinstance(value, str):
                continue
            if (
                isinstance(value, dict)
                and len(value) == 1
                and next(iter(value)) in ("IN", "NOT_IN")
                and isinstance(next(iter(value.values())), list)
                and all(isinstance(v, str) for v in next(iter(value.values())))
            ):
                continue
            raise RuleError(f"{key}: use a text value or {{IN: [...]}} / {{NOT_IN: [...]}}.")


def _spec_pred(spec: dict[str, Any]) -> tuple[list[tuple[str, str, Any]], bool]:
    """[(field, mode, value)] for one token spec; negated for OP "!"."""
    tests: list[tuple[str, str, Any]] = []
    for key, value in spec.items():
        if key == "OP":
            continue
        field = _attr_field(key)
        if isinstance(value, str):
            tests.append((field, "eq", value))
        else:
            ((mode, vals),) = value.items()
            tests.append((field, "in" if mode == "IN" else "not_in", frozenset(vals)))
    return tests, spec.get("OP") == "!"


def _token_ok(tests: list[tuple[str, str, Any]], negate: bool, cols: dict[str, list[str]], k: int) -> bool:
    ok = True
    for field, mode, value in tests:
        v = cols[field][k]
        if (
            (mode == "eq" and v != value)
            or (mode == "in" and v not in value)
            or (mode == "not_in" and v in value)
        ):
            ok = False
            break
    return ok != negate


class TokenPattern:
    """spaCy Matcher semantics for one pattern: every (start, end) whose tokens match."""

    def __init__(self, pattern: list[dict[str, Any]]) -> None:
        check_token_pattern(pattern)
        self.specs = [(*_spec_pred(s), s.get("OP", "1")) for s in pattern]
        self.fields = {f for tests, _, _ in self.specs for f, _, _ in tests}
        # A literal every match contains: the prefilter for turns worth matching.
        self.anchor: tuple[str, tuple[str, ...]] | None = None
        for tests, negate, op in self.specs:
            if negate or op not in ("1", "+"):
                continue
            for field, mode, value in tests:
                if mode == "eq" and field != "pos":
                    self.anchor = (field, (value,))
                elif mode == "in" and field != "pos" and value:
                    self.anchor = (field, tuple(value))
                if self.anchor:
                    break
            if self.anchor:
                break

    def matches(self, cols: dict[str, list[str]], n: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        tests, negate, op = self.specs[0]
        if op in ("1", "+", "!"):  # a match starts with a token the first spec accepts
            starts = [k for k in range(n) if _token_ok(tests, negate, cols, k)]
        else:
            starts = list(range(n))
        for start in starts:
            states = {start}
            for tests, negate, op in self.specs:
                nxt: set[int] = set()
                for pos in states:
                    if op in ("?", "*"):
                        nxt.add(pos)
                    p = pos
                    while p < n and _token_ok(tests, negate, cols, p):
                        p += 1
                        nxt.add(p)
                        if op in ("1", "?", "!"):
                            break
                states = nxt
                if not states:
                    break
            out.extend((start, e) for e in sorted(states) if e > start)
        return out
