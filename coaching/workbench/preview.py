"""Preview a draft on stored meetings: moments added and removed per behaviour, a random sample
of hits to judge, and the estimated precision with its Wilson interval.

Only behaviours whose rules or counting changed are re-matched, and an RE2 set of probes (what
every match of a changed rule must contain) skips meetings before their tokens are loaded."""

from __future__ import annotations

import math
import random
import re
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.utils import timezone

from coaching.engine.fast import US
from coaching.engine.matching import find_moments
from coaching.engine.nlp import tokenise
from coaching.engine.rules import rule_from_dict
from coaching.engine.types import Rule
from coaching.models import MeetingTokens, Moment, PreviewJob
from coaching.selectors import active_rule_version, draft_snapshot, snapshot_count_modes

SAMPLE_SIZE = 20
CHUNK = 100


def wilson_interval(right: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion (right of n), sound for small samples."""
    if n == 0:
        return 0.0, 1.0
    p = right / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def precision_estimate(marks: dict[str, bool]) -> dict[str, Any]:
    right = sum(1 for v in marks.values() if v)
    n = len(marks)
    lo, hi = wilson_interval(right, n)
    return {"right": right, "judged": n, "precision": right / n if n else None, "low": lo, "high": hi}


def changed_behaviours(draft: dict[str, Any], base: dict[str, Any] | None) -> set[str]:
    """Behaviours whose enabled rules or count mode differ between two snapshots."""
    if base is None:
        return set(draft.get("behaviours", {}))

    def by_behaviour(s: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, list] = {}
        for r in s.get("rules", []):
            if r.get("enabled", True):
                out.setdefault(r["behaviour"], []).append(sorted(r.items(), key=lambda kv: kv[0]))
        modes = {k: v.get("count") for k, v in s.get("behaviours", {}).items()}
        return {k: (sorted(map(repr, out.get(k, []))), modes.get(k)) for k in set(out) | set(modes)}

    a, b = by_behaviour(draft), by_behaviour(base)
    return {k for k in set(a) | set(b) if a.get(k) != b.get(k)}


def _probe(rule: Rule) -> list[str] | None:
    """RE2 patterns of which one occurs in a meeting's search text whenever the rule matches
    there; None when no such probe exists (then every meeting is a candidate)."""
    if rule.kind == "regex":
        return None if rule.field == "norm" else ["(?m)" + rule.pattern]
    if rule.kind in ("phrase", "reading"):
        alts = [p.strip() for p in rule.pattern.split("|") if p.strip()]
        out = []
        for toks in tokenise(alts, rule.language):
            vals = [t[2] for t in toks] if rule.kind == "phrase" else [t[5] or t[0] for t in toks]
            if vals:
                out.append(re.escape(US + US.join(vals) + US))
        return out
    from coaching.engine.fast import TokenPattern

    tp = TokenPattern(rule.pattern)
    if tp.anchor is None:
        return None
    field, values = tp.anchor
    if field in ("norm", "lemma"):
        return [re.escape(US + v + US) for v in values]
    return ["(?i)" + re.escape(v) for v in values]


def _probe_set(rules: list[Rule]) -> Any:
    import re2

    patterns: list[str] = []
    for r in rules:
        p = _probe(r)
        if p is None:
            return None
        patterns.extend(p)
    options = re2.Options()
    options.log_errors = False
    s = re2.Set.SearchSet(options)
    for p in patterns:
        s.Add(p)
    s.Compile()
    return s


def preview_start(*, user: Any, run_now: bool = False) -> PreviewJob:
    """A preview of the current draft; runs in the worker (or here with run_now, for tests)."""
    from django.db import transaction

    active = active_rule_version()
    preview = PreviewJob.objects.create(
        created_by=user, base_number=active.number if active else None, total=MeetingTokens.objects.count()
    )
    if run_now:
        preview_execute(preview=preview)
    else:
        from coaching import tasks

        transaction.on_commit(lambda: tasks.preview_run.delay(preview.pk))
    return preview


def preview_cancel(*, preview: PreviewJob) -> None:
    PreviewJob.objects.filter(pk=preview.pk, status=PreviewJob.Status.RUNNING).update(cancel_requested=True)


def preview_execute(*, preview: PreviewJob, seconds: float | None = None) -> PreviewJob:
    """Run the draft; stops at the deadline (PARTIAL) or on cancel, saving what it found."""
    seconds = settings.AIZUCHI_PREVIEW_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + seconds
    draft = draft_snapshot()
    active = active_rule_version()
    changed = changed_behaviours(draft, active.snapshot if active else None)
    rules = [rule_from_dict(r) for r in draft["rules"] if r["behaviour"] in changed]
    rules = [r for r in rules if r.enabled]
    per_turn, per_sentence = snapshot_count_modes(draft)
    probes = _probe_set(rules) if rules else None
    stored: dict[int, Counter] = {}
    for mid, b, t, s, e in Moment.objects.filter(behaviour_key__in=changed).values_list(
        "meeting_id", "behaviour_key", "turn_index", "char_start", "char_end"
    ):
        stored.setdefault(mid, Counter())[(b, t, s, e)] += 1
    added: Counter = Counter()
    removed: Counter = Counter()
    before: Counter = Counter()
    after: Counter = Counter()
    rng = random.Random(preview.pk)
    sample: list[dict[str, Any]] = []
    seen_hits = 0
    status = PreviewJob.Status.DONE
    scanned = 0
    ids = list(MeetingTokens.objects.order_by("meeting_id").values_list("meeting_id", flat=True))
    for i in range(0, len(ids), CHUNK):
        if time.monotonic() > deadline:
            status = PreviewJob.Status.PARTIAL
            break
        if PreviewJob.objects.filter(pk=preview.pk, cancel_requested=True).exists():
            status = PreviewJob.Status.CANCELLED
            break
        chunk = ids[i : i + CHUNK]
        candidates = set()
        if rules:
            if probes is None:
                candidates = set(chunk)
            else:
                for mid, text in MeetingTokens.objects.filter(meeting_id__in=chunk).values_list(
                    "meeting_id", "search"
                ):
                    if probes.Match(text.encode()):
                        candidates.add(mid)
        from coaching.services import cached_meeting

        rows = MeetingTokens.objects.filter(meeting_id__in=candidates).values_list(
            "meeting_id", "language", "turns", "tokens", "format", "meeting__title"
        )
        new_by_meeting: dict[int, Counter] = {}
        for mid, language, turns_json, tokens, fmt, title in rows:
            turns, pt = cached_meeting(turns_json, language, tokens, fmt)
            moments = find_moments(
                turns,
                [r for r in rules if r.language == language],
                language=language,
                tokens=pt,
                per_turn=per_turn,
                per_sentence=per_sentence,
            )
            got = Counter((m.behaviour, m.turn, m.char_start, m.char_end) for m in moments)
            new_by_meeting[mid] = got
            old = stored.get(mid, Counter())
            for m in moments:
                seen_hits += 1
                item = {
                    "id": f"{mid}-{m.turn}-{m.char_start}-{m.behaviour}",
                    "meeting": mid,
                    "title": title,
                    "behaviour": m.behaviour,
                    "rule": m.rule,
                    "turn": m.turn,
                    "speaker": turns[m.turn].speaker or "",
                    "before": turns[m.turn].text[max(0, m.char_start - 60) : m.char_start],
                    "hit": m.text,
                    "after": turns[m.turn].text[m.char_end : m.char_end + 60],
                    "added": old[(m.behaviour, m.turn, m.char_start, m.char_end)] == 0,
                }
                if len(sample) < SAMPLE_SIZE:
                    sample.append(item)
                else:
                    j = rng.randrange(seen_hits)
                    if j < SAMPLE_SIZE:
                        sample[j] = item
        for mid in chunk:
            old = stored.get(mid, Counter())
            got = new_by_meeting.get(mid, Counter())
            for (b, *_), n in old.items():
                before[b] += n
            for (b, *_), n in got.items():
                after[b] += n
            for key, n in (got - old).items():
                added[key[0]] += n
            for key, n in (old - got).items():
                removed[key[0]] += n
        scanned += len(chunk)
        PreviewJob.objects.filter(pk=preview.pk).update(scanned=scanned)
    result = {
        "changed": sorted(changed),
        "behaviours": {
            b: {"added": added[b], "removed": removed[b], "before": before[b], "after": after[b]}
            for b in sorted(changed)
        },
        "sample": sample,
        "feedback": _feedback(changed),
        "seconds": round(seconds - max(0.0, deadline - time.monotonic()), 2),
    }
    PreviewJob.objects.filter(pk=preview.pk).update(
        status=status, result=result, scanned=scanned, total=len(ids), finished_at=timezone.now()
    )
    preview.refresh_from_db()
    return preview


def _feedback(changed: set[str]) -> dict[str, int]:
    """How many moments of each changed behaviour reps marked "not right" (reviews app)."""
    try:
        from reviews.models import MomentFeedback
    except ImportError:  # the reviews app is optional
        return {}
    rows = MomentFeedback.objects.filter(behaviour_key__in=changed).values_list("behaviour_key", flat=True)
    return dict(Counter(rows))


def preview_mark(*, preview: PreviewJob, item_id: str, right: bool) -> dict[str, Any]:
    """Record an admin's judgement of one sampled hit; returns the new precision estimate."""
    ids = {s["id"] for s in preview.result.get("sample", [])}
    if item_id in ids:
        marks = dict(preview.marks)
        marks[item_id] = bool(right)
        preview.marks = marks
        preview.save(update_fields=["marks"])
    return precision_estimate(preview.marks)
