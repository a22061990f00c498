"""Preview a draft on stored meetings: moments added and removed per behaviour, a random sample
of hits to judge, and the estimated precision with its Wilson interval.

Only the turns where a rule that differs from the published version can match are re-matched
(workbench.delta says which rules and why that is exact); an RE2 set of probes skips meetings
where none can match before their tokens are loaded."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F
from django.utils import timezone

from coaching.detector import detector_active
from coaching.engine.detect import detect_moments
from coaching.engine.kpis import premature_proposals
from coaching.engine.matching import compiled
from coaching.engine.rules import rules_for
from coaching.engine.types import ASK, PREMATURE_PROPOSAL, PROPOSAL
from coaching.engine.types import Moment as Hit
from coaching.models import MeetingTokens, Moment, PreviewJob, PreviewPart, RuleSet
from coaching.selectors import active_rule_version, draft_snapshot, snapshot_count_modes
from coaching.workbench.delta import Delta, draft_delta, probe_set

SAMPLE_SIZE = 20
CHUNK = 100  # meetings per query; between chunks a slice checks the deadline and cancel
PART_SIZE = 500  # meetings per task
SETTLE_AFTER = 60  # seconds past the deadline after which missing slices are given up
_PLANS: dict[tuple[int, Any], tuple[Any, ...]] = {}


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


def preview_create(*, user: Any, seconds: float | None = None) -> tuple[PreviewJob, list[list[int]]]:
    """A preview of the draft as it is now, and the slices of stored meetings to run it on
    (one task each, so several workers share a preview as they share a rescore)."""
    seconds = settings.AIZUCHI_PREVIEW_SECONDS if seconds is None else seconds
    active = active_rule_version()
    ids = list(MeetingTokens.objects.order_by("meeting_id").values_list("meeting_id", flat=True))
    parts = [ids[i : i + PART_SIZE] for i in range(0, len(ids), PART_SIZE)]
    preview = PreviewJob.objects.create(
        created_by=user,
        base_number=active.number if active else None,
        draft=draft_snapshot(),
        deadline_at=timezone.now() + timedelta(seconds=seconds),
        total=len(ids),
        parts_total=len(parts),
    )
    if not parts:
        _finish(preview.pk)
    return preview, parts


def preview_start(*, user: Any, run_now: bool = False, seconds: float | None = None) -> PreviewJob:
    """Start a preview in the workers (or run it here with run_now, for tests)."""
    from django.db import transaction

    preview, parts = preview_create(user=user, seconds=seconds)
    if run_now:
        for index, ids in enumerate(parts):
            preview_part(preview.pk, index, ids)
    else:
        from coaching import tasks

        def queue() -> None:
            for index, ids in enumerate(parts):
                tasks.preview_part_run.delay(preview.pk, index, ids)

        transaction.on_commit(queue)
    preview.refresh_from_db()
    return preview


def preview_settle(*, preview: PreviewJob) -> PreviewJob:
    """A preview still running well after its deadline lost slices (a worker died, none is
    running): close it as partial with what the other slices found, instead of spinning."""
    late = preview.deadline_at and timezone.now() > preview.deadline_at + timedelta(seconds=SETTLE_AFTER)
    if preview.status == PreviewJob.Status.RUNNING and late:
        _finish(preview.pk)
        preview.refresh_from_db()
    return preview


def preview_cancel(*, preview: PreviewJob) -> None:
    PreviewJob.objects.filter(pk=preview.pk, status=PreviewJob.Status.RUNNING).update(cancel_requested=True)


@dataclass
class _Tally:
    """What a run over some meetings found; tallies of disjoint meetings add up (merge)."""

    added: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    before: Counter = field(default_factory=Counter)
    sample: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (sort key, item)
    touched_meetings: int = 0
    touched_turns: int = 0
    scanned: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            **{k: dict(getattr(self, k)) for k in ("added", "removed", "before")},
            "sample": [[k, item] for k, item in self.sample],
            **{k: getattr(self, k) for k in ("touched_meetings", "touched_turns", "scanned")},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Tally:
        return cls(
            added=Counter(data.get("added", {})),
            removed=Counter(data.get("removed", {})),
            before=Counter(data.get("before", {})),
            sample=[(k, item) for k, item in data.get("sample", [])],
            touched_meetings=data.get("touched_meetings", 0),
            touched_turns=data.get("touched_turns", 0),
            scanned=data.get("scanned", 0),
        )

    def merge(self, other: _Tally) -> None:
        self.added += other.added
        self.removed += other.removed
        self.before += other.before
        self.sample = sorted(self.sample + other.sample, key=lambda x: x[0])[:SAMPLE_SIZE]
        self.touched_meetings += other.touched_meetings
        self.touched_turns += other.touched_turns
        self.scanned += other.scanned


def _sample_key(seed: int, item_id: str) -> int:
    """A stable pseudo-random rank: the SAMPLE_SIZE lowest form a uniform sample of all hits,
    whichever order (or process) the meetings were scanned in."""
    return int.from_bytes(hashlib.blake2b(f"{seed}:{item_id}".encode(), digest_size=8).digest(), "big")


def reported_behaviours(delta: Delta) -> list[str]:
    """The behaviours a preview counts: those the delta changes, and premature proposals when
    asks or proposals change (a proposal is premature when it comes before the first ask)."""
    derived = [PREMATURE_PROPOSAL] if {ASK, PROPOSAL} & delta.behaviours else []
    return sorted({*delta.behaviours, *derived})


def _tally_premature(
    tally: _Tally, delta: Delta, touched: dict[int, set[int]], found: dict[int, tuple[Any, list[Hit], str]]
) -> None:
    """Premature proposals of each touched meeting before (as stored) and after (from the stored
    asks and proposals, with those of the re-matched turns replaced by the new ones)."""
    rows: dict[int, list[tuple[str, int, int, int]]] = {mid: [] for mid in touched}
    for mid, b, t, s, e in Moment.objects.filter(
        meeting_id__in=list(touched), behaviour_key__in=(ASK, PROPOSAL, PREMATURE_PROPOSAL)
    ).values_list("meeting_id", "behaviour_key", "turn_index", "char_start", "char_end"):
        rows[mid].append((b, t, s, e))
    for mid, (_, moments, _) in found.items():
        kept = [
            Hit(b, t, s, e, "", "")
            for b, t, s, e in rows[mid]
            if b != PREMATURE_PROPOSAL and not (b in delta.behaviours and t in touched[mid])
        ]
        new = kept + [m for m in moments if m.behaviour in (ASK, PROPOSAL)]
        old = Counter((t, s, e) for b, t, s, e in rows[mid] if b == PREMATURE_PROPOSAL)
        got = Counter((m.turn, m.char_start, m.char_end) for m in premature_proposals(new))
        tally.added[PREMATURE_PROPOSAL] += sum((got - old).values())
        tally.removed[PREMATURE_PROPOSAL] += sum((old - got).values())


def _scan(ids: list[int], delta: Delta, modes: tuple[set[str], set[str]], probes: Any, seed: int) -> _Tally:
    """Re-match the delta's behaviours on the turns of these meetings that a touching rule
    matches, and compare with the stored moments there."""
    from coaching.services import cache_rows, cached_meeting, cached_model_scores

    tally = _Tally()
    behaviours = sorted(delta.behaviours)
    counted = reported_behaviours(delta)
    # Grouped by meeting too, so the (meeting, behaviour) index covers it (by behaviour alone,
    # SQLite walks the behaviour index: 100 times slower).
    for _, b, n in (
        Moment.objects.filter(meeting_id__in=ids, behaviour_key__in=counted)
        .values_list("meeting_id", "behaviour_key")
        .annotate(n=Count("id"))
    ):
        tally.before[b] += n
    if not delta.touching:
        return tally
    if probes is None:
        candidates = ids
    else:
        searchable = MeetingTokens.objects.filter(meeting_id__in=ids).values_list("meeting_id", "search")
        candidates = [mid for mid, text in searchable if probes.Match(text.encode())]
    touched: dict[int, set[int]] = {}
    found: dict[int, tuple[list[Any], list[Hit], str]] = {}
    model = detector_active()  # stored moments include the model's: re-found the same way
    previewed = {r.behaviour for r in delta.rules}
    rows = cache_rows(candidates, "meeting__title", "model_scores", any_tokeniser=True)
    for mid, language, turns_json, tokens, fmt, title, cached_scores in rows:
        turns, pt = cached_meeting(turns_json, language, tokens, fmt)
        texts = [t.text for t in turns]
        touching = rules_for(delta.touching, language)
        turn_set = {x[1] for x in compiled(touching, language).raw_matches(pt, texts)} if touching else set()
        if not turn_set:
            continue
        touched[mid] = turn_set
        moments = detect_moments(
            turns,
            rules_for(delta.rules, language),
            language=language,
            model=model,
            scores=cached_model_scores(cached_scores, model),
            tokens=pt,
            per_turn=modes[0],
            per_sentence=modes[1],
            only_turns=turn_set,
        )
        # the model finds every behaviour: keep those of the rules being previewed
        moments = [m for m in moments if m.behaviour in previewed]
        found[mid] = (turns, moments, title)
    stored: dict[int, Counter] = {mid: Counter() for mid in touched}
    for mid, b, t, s, e in Moment.objects.filter(
        meeting_id__in=list(touched), behaviour_key__in=behaviours
    ).values_list("meeting_id", "behaviour_key", "turn_index", "char_start", "char_end"):
        if t in touched[mid]:
            stored[mid][(b, t, s, e)] += 1
    if PREMATURE_PROPOSAL in counted:
        _tally_premature(tally, delta, touched, found)
    for mid, (turns, moments, title) in found.items():
        old = stored[mid]
        got = Counter((m.behaviour, m.turn, m.char_start, m.char_end) for m in moments)
        for key, n in (got - old).items():
            tally.added[key[0]] += n
        for key, n in (old - got).items():
            tally.removed[key[0]] += n
        tally.touched_meetings += 1
        tally.touched_turns += len(touched[mid])
        for m in moments:
            item_id = f"{mid}-{m.turn}-{m.char_start}-{m.behaviour}"
            text = turns[m.turn].text
            item = {
                "id": item_id,
                "meeting": mid,
                "title": title,
                "behaviour": m.behaviour,
                "rule": m.rule,
                "turn": m.turn,
                "speaker": turns[m.turn].speaker or "",
                "before": text[max(0, m.char_start - 60) : m.char_start],
                "hit": m.text,
                "after": text[m.char_end : m.char_end + 60],
                "added": old[(m.behaviour, m.turn, m.char_start, m.char_end)] == 0,
            }
            tally.sample.append((_sample_key(seed, item_id), item))
        tally.sample = sorted(tally.sample, key=lambda x: x[0])[:SAMPLE_SIZE]
    return tally


def _plan(preview: PreviewJob) -> tuple[Delta, tuple[set[str], set[str]], Any]:
    """The preview's delta, count modes and probes, built once per process and preview."""
    key = (preview.pk, preview.created_at)
    found = _PLANS.get(key)
    if found is None:
        base = RuleSet.objects.filter(number=preview.base_number).first() if preview.base_number else None
        delta = draft_delta(preview.draft, base.snapshot if base else None)
        probes = probe_set(delta.touching) if delta.touching else None
        if len(_PLANS) > 4:
            _PLANS.clear()
        found = _PLANS[key] = (delta, snapshot_count_modes(preview.draft), probes)
    return found


def preview_part(preview_id: int, index: int, ids: list[int]) -> None:
    """Run one slice; stops at the deadline or on cancel, saving what it found. The last slice
    to finish writes the result. Running a slice twice (a redelivered task) counts it once."""
    preview = PreviewJob.objects.filter(pk=preview_id).first()
    if preview is None or preview.finished_at is not None:
        return
    delta, modes, probes = _plan(preview)
    tally = _Tally()
    stopped = ""
    for i in range(0, len(ids), CHUNK):
        if preview.deadline_at and timezone.now() > preview.deadline_at:
            stopped = PreviewJob.Status.PARTIAL
            break
        if PreviewJob.objects.filter(pk=preview_id, cancel_requested=True).exists():
            stopped = PreviewJob.Status.CANCELLED
            break
        chunk = ids[i : i + CHUNK]
        tally.merge(_scan(chunk, delta, modes, probes, seed=preview_id))
        tally.scanned += len(chunk)
        PreviewJob.objects.filter(pk=preview_id).update(scanned=F("scanned") + len(chunk))
    PreviewPart.objects.update_or_create(
        preview_id=preview_id, index=index, defaults={"stopped": stopped, "tally": tally.as_json()}
    )
    if PreviewPart.objects.filter(preview_id=preview_id).count() >= preview.parts_total:
        _finish(preview_id)


def _finish(preview_id: int) -> None:
    """Add up the parts into the result; only the first caller to claim the preview does."""
    if not PreviewJob.objects.filter(pk=preview_id, finished_at__isnull=True).update(
        finished_at=timezone.now()
    ):
        return
    preview = PreviewJob.objects.get(pk=preview_id)
    assert preview.finished_at is not None  # set by the claim above
    delta, _, _ = _plan(preview)
    tally = _Tally()
    stops = set()
    parts = list(PreviewPart.objects.filter(preview_id=preview_id))
    for part in parts:
        tally.merge(_Tally.from_json(part.tally))
        stops.add(part.stopped)
    status = PreviewJob.Status.DONE
    if PreviewJob.Status.CANCELLED in stops or preview.cancel_requested:
        status = PreviewJob.Status.CANCELLED
    elif PreviewJob.Status.PARTIAL in stops or len(parts) < preview.parts_total:
        status = PreviewJob.Status.PARTIAL
    changed = reported_behaviours(delta)
    result = {
        "changed": changed,
        "behaviours": {
            b: {
                "added": tally.added[b],
                "removed": tally.removed[b],
                "before": tally.before[b],
                "after": tally.before[b] + tally.added[b] - tally.removed[b],
            }
            for b in changed
        },
        "sample": [item for _, item in tally.sample],
        "touched_meetings": tally.touched_meetings,
        "touched_turns": tally.touched_turns,
        "feedback": _feedback(set(changed)),
        "seconds": round((preview.finished_at - preview.created_at).total_seconds(), 2),
    }
    PreviewJob.objects.filter(pk=preview_id).update(status=status, result=result, scanned=tally.scanned)
    PreviewPart.objects.filter(preview_id=preview_id).delete()


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
