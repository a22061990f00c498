"""Writes for coaching: install rule packs, analyse a meeting, rescore stored meetings in batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import SET_NULL, TextField
from django.db.models.functions import Cast

from coaching.engine import DetectorModel, analyse_turns, model_scores, moment_as_json, turns_from_segments
from coaching.engine.fast import PackedTurns, pack, packed_from_json, search_text
from coaching.engine.kpis import KPI_VERSION, turn_kpis
from coaching.engine.matching import tokenise_turns
from coaching.engine.nlp import TOKENISER_VERSION, detect_language
from coaching.engine.rules import RulePack, load_pack, rule_as_dict
from coaching.engine.types import Analysis, TokenisedTurns, Turn
from coaching.models import (
    Behaviour,
    MeetingScore,
    MeetingTokens,
    Moment,
    PhraseRule,
    RulePackVersion,
    scoring_label,
)

_RULE_CORE = ("key", "behaviour", "language", "kind", "pattern", "enabled", "note")
_SCORE_FIELDS = (
    "language",
    "kpis",
    "rules_version",
    "asks",
    "affirmations",
    "case_studies",
    "proposals",
    "premature_proposals",
    "affirmations_per_customer_minute",
    "listening_window_customer_share",
    "rep_talk_share",
    "ask_to_proposal_latency_median",
    "computed_at",
)


def rule_pack_install(*, pack: RulePack, name: str = "default", models: Any = None) -> int:
    """Install a pack's behaviours and rules into the draft; rules an admin edited (pack blank)
    are kept. Returns how many rules were written. `models` lets a data migration pass
    historical models. Callers outside migrations publish the draft afterwards."""
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
                    "is_builtin": bool(meta.get("builtin", True)),
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


def _language_of(meeting: Any, turns: list[Turn]) -> str:
    return meeting.effective_language or detect_language(" ".join(t.text for t in turns[:200]))


def kpi_options() -> dict[str, float]:
    """The KPI settings (listening window) as keyword arguments for compute_kpis/analyse_turns."""
    return {
        "window_fraction": settings.AIZUCHI_LISTENING_WINDOW_FRACTION,
        "window_min_minutes": settings.AIZUCHI_LISTENING_WINDOW_MIN_MINUTES,
        "window_max_minutes": settings.AIZUCHI_LISTENING_WINDOW_MAX_MINUTES,
    }


class ScoringRules:
    """A rule snapshot ready to score with: rules per language and count modes, built once,
    and the learned detector that adds moments beside them (None: rules alone)."""

    def __init__(self, snapshot: dict[str, Any], label: str, model: DetectorModel | None = None) -> None:
        from coaching.selectors import snapshot_count_modes, snapshot_rules

        self.label = label
        self.model = model
        self.snapshot = snapshot
        self.per_turn, self.per_sentence = snapshot_count_modes(snapshot)
        all_rules = snapshot_rules(snapshot)
        self.by_language = {lang: [r for r in all_rules if r.language == lang] for lang in ("ja", "en")}

    def analyse(
        self,
        turns: Sequence[Turn],
        language: str,
        tokens: Any,
        base: dict[str, Any] | None = None,
        scores: Any = None,
    ) -> Analysis:
        """As analyse_turns; `base` (turn_kpis of these turns, from the token cache) spares
        recomputing the KPIs that no rule changes, `scores` (the model's, cached) rescoring them."""
        return analyse_turns(
            turns,
            language=language,
            rules=self.by_language.get(language, []),
            model=self.model,
            scores=scores,
            tokens=tokens,
            per_turn=self.per_turn,
            per_sentence=self.per_sentence,
            base=base,
            **kpi_options(),
        )

    def cached_scores(self, stored: Any) -> Any:
        """This model's scores from MeetingTokens.model_scores, else None."""
        return cached_model_scores(stored, self.model)

    def scores_json(self, turns: Sequence[Turn], language: str) -> dict[str, Any]:
        """What MeetingTokens.model_scores keeps of this model's scores of these turns."""
        if self.model is None:
            return {}
        return {"model": self.model.digest, "values": model_scores(self.model, turns, language)}


def cached_model_scores(stored: Any, model: DetectorModel | None) -> Any:
    """The scores in MeetingTokens.model_scores when this model computed them, else None."""
    if model is None or not isinstance(stored, dict):
        return None
    return stored.get("values") if stored.get("model") == model.digest else None


def _turn_kpis_key(language: str) -> list[Any]:
    """What cached turn KPIs were computed with: stale when the KPI code or settings change."""
    o = kpi_options()
    return [KPI_VERSION, language, o["window_fraction"], o["window_min_minutes"], o["window_max_minutes"]]


def token_cache(turns: Sequence[Turn], language: str, pt: PackedTurns) -> dict[str, Any]:
    """MeetingTokens.tokens (format 2): the packed tokens plus the rule-independent KPIs."""
    return {
        **pt.as_json(),
        "turn_kpis": {
            "key": _turn_kpis_key(language),
            "values": turn_kpis(turns, language=language, **kpi_options()),
        },
    }


def cached_turn_kpis(tokens: Any, language: str) -> dict[str, Any] | None:
    """The turn KPIs of a token cache when they were computed with today's code and settings."""
    if not isinstance(tokens, dict):
        return None
    cached = tokens.get("turn_kpis")
    if not cached or cached.get("key") != _turn_kpis_key(language):
        return None
    return cached["values"]


def scoring_rules_active() -> ScoringRules:
    """The active version (or, before any is published, the draft rows) as ScoringRules, with
    the active detector."""
    from coaching.detector import company_version_active, detector_for
    from coaching.selectors import active_rule_version, draft_snapshot

    company = company_version_active()
    model = detector_for(company)
    active = active_rule_version()
    if active is not None:
        return ScoringRules(active.snapshot, scoring_label(active.label, company), model)
    versions = sorted(RulePackVersion.objects.values_list("version", flat=True))
    return ScoringRules(draft_snapshot(), scoring_label(versions[-1] if versions else "", company), model)


def transcript_analyse(*, segments: list[dict[str, Any]], language: str) -> dict[str, Any]:
    """Moments and KPIs, JSON-ready, for a transcript that is not stored (the analyze command),
    with the active rules and the same KPI settings as stored meetings."""
    turns = turns_from_segments(segments)
    language = language or detect_language(" ".join(t.text for t in turns[:200]))
    sr = scoring_rules_active()
    analysis = sr.analyse(turns, language, None)
    moments = []
    for m in analysis.moments:
        data = moment_as_json(m)
        if m.source == "model" and sr.model is not None:
            data["examples"] = sr.model.nearest_examples(language, m.behaviour, m.text)
        moments.append(data)
    return {"moments": moments, "kpis": analysis.kpis}


def meeting_analyse(*, meeting: Any) -> None:
    """Detect moments and compute scores from the meeting's segments; replaces earlier results."""
    segments = meeting.segments.order_by("index").values("index", "start", "end", "text", "speaker")
    if (
        not segments
        and MeetingScore.objects.filter(meeting=meeting).exists()
        and not MeetingTokens.objects.filter(meeting=meeting).exists()
    ):
        return  # transcript removed by retention (privacy): its kept KPIs cannot be rebuilt
    turns = turns_from_segments(segments)
    language = _language_of(meeting, turns)
    pt = pack(tokenise_turns(turns, language))
    sr = scoring_rules_active()
    cache = token_cache(turns, language, pt)
    stored = sr.scores_json(turns, language)  # scored once here: rescoring with new rules needs no model
    analysis = sr.analyse(turns, language, pt, cached_turn_kpis(cache, language), sr.cached_scores(stored))
    with transaction.atomic():
        scores_store([(meeting.pk, analysis)], label=sr.label)
        MeetingTokens.objects.update_or_create(
            meeting=meeting,
            defaults={
                "language": language,
                "tokeniser": TOKENISER_VERSION,
                "turns": [
                    {"speaker": t.speaker, "text": t.text, "start": t.start, "end": t.end} for t in turns
                ],
                "tokens": cache,
                "format": 2,
                "search": search_text([t.text for t in turns], pt),
                "model_scores": stored,
            },
        )


def cached_meeting(
    turns_json: list[dict[str, Any]], language: str, tokens: Any, fmt: int
) -> tuple[list[Turn], PackedTurns]:
    """Turns and packed tokens from a MeetingTokens row's values (either cache format)."""
    turns = [
        Turn(i, t.get("speaker") or None, t["text"], t.get("start"), t.get("end"))
        for i, t in enumerate(turns_json)
    ]
    if fmt == 2:
        return turns, packed_from_json(tokens)
    return turns, pack(TokenisedTurns(language, tuple(tuple(tuple(x) for x in toks) for toks in tokens)))


def cache_rows(
    meeting_ids: Iterable[int], *extra: str, any_tokeniser: bool = False
) -> Iterator[tuple[Any, ...]]:
    """(meeting id, language, turns, tokens, format, *extra) of these meetings' token caches
    (by default only those of the current tokeniser).

    The two JSON columns are read as text and parsed with orjson, three times faster than
    the json module: rescoring and previews read a few hundred kB per meeting."""
    rows = MeetingTokens.objects.filter(meeting_id__in=list(meeting_ids))
    if not any_tokeniser:
        rows = rows.filter(tokeniser=TOKENISER_VERSION)
    for mid, language, turns, tokens, fmt, *rest in rows.values_list(
        "meeting_id", "language", Cast("turns", TextField()), Cast("tokens", TextField()), "format", *extra
    ):
        yield (mid, language, orjson.loads(turns), orjson.loads(tokens), fmt, *rest)


def meeting_rescore(*, meeting: Any) -> bool:
    """Re-match the active rules on the cached tokens (no tokenising). False when there is no cache."""
    return meetings_rescore(meeting_ids=[meeting.pk], rules=scoring_rules_active()) == 1


def meetings_rescore(*, meeting_ids: Iterable[int], rules: ScoringRules) -> int:
    """Score these meetings from their token caches with `rules`, in one transaction.

    Idempotent: running it twice leaves the same rows (moments that did not change keep their
    ids, so comments and "not right" marks stay attached). Returns how many were scored."""
    results = []
    new_scores: dict[int, dict[str, Any]] = {}
    for meeting_id, language, turns_json, tokens, fmt, stored in cache_rows(meeting_ids, "model_scores"):
        turns, pt = cached_meeting(turns_json, language, tokens, fmt)
        scores = rules.cached_scores(stored)
        if scores is None and rules.model is not None:  # a model new to this meeting: keep its scores
            new_scores[meeting_id] = rules.scores_json(turns, language)
            scores = new_scores[meeting_id]["values"]
        analysis = rules.analyse(turns, language, pt, cached_turn_kpis(tokens, language), scores)
        results.append((meeting_id, analysis))
    with transaction.atomic():
        scores_store(results, label=rules.label)
        for meeting_id, values in new_scores.items():
            MeetingTokens.objects.filter(meeting_id=meeting_id).update(model_scores=values)
    return len(results)


def _null_references(ids: list[int]) -> None:
    """Detach rows of other apps that point at moments about to go (their FKs are SET_NULL), so
    the moments can be deleted in one statement instead of being collected one by one."""
    for rel in Moment._meta.related_objects:
        if rel.on_delete is SET_NULL:  # None for many-to-many relations
            rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": ids}).update(
                **{rel.field.name: None}
            )


def scores_store(results: Sequence[tuple[int, Analysis]], *, label: str) -> None:
    """Write moments and scores of several meetings with a handful of queries: moments are
    diffed against the stored ones, scores upserted in bulk. Call inside a transaction."""
    from django.utils import timezone

    ids = [mid for mid, _ in results]
    if not ids:
        return
    existing: dict[tuple, int] = {}
    for pk, *stored in Moment.objects.filter(meeting_id__in=ids).values_list(
        "id",
        "meeting_id",
        "behaviour_key",
        "turn_index",
        "char_start",
        "char_end",
        "rule_key",
        "time",
        "text",
        "source",
        "score",
    ):
        existing[tuple(stored)] = pk
    new: list[Moment] = []
    keep: set[int] = set()
    for mid, analysis in results:
        for m in analysis.moments:
            key = (
                mid,
                m.behaviour,
                m.turn,
                m.char_start,
                m.char_end,
                m.rule[:100],
                m.time,
                m.text[:500],
                m.source,
                m.score,
            )
            kept = existing.get(key)
            if kept is not None and kept not in keep:
                keep.add(kept)
                continue
            new.append(
                Moment(
                    meeting_id=mid,
                    behaviour_key=m.behaviour,
                    turn_index=m.turn,
                    char_start=m.char_start,
                    char_end=m.char_end,
                    time=m.time,
                    text=m.text[:500],
                    rule_key=m.rule[:100],
                    source=m.source,
                    score=m.score,
                )
            )
    gone = [pk for pk in existing.values() if pk not in keep]
    for i in range(0, len(gone), 500):
        chunk = gone[i : i + 500]
        _null_references(chunk)
        Moment.objects.filter(pk__in=chunk)._raw_delete(Moment.objects.db)
    Moment.objects.bulk_create(new, batch_size=500)
    now = timezone.now()
    scores = []
    for mid, analysis in results:
        k = analysis.kpis
        scores.append(
            MeetingScore(
                meeting_id=mid,
                language=analysis.language,
                kpis=k,
                rules_version=label,
                asks=k["customer_asks_for_proposal_count"],
                affirmations=k["rep_affirmation_count"],
                case_studies=k["rep_case_study_count"],
                proposals=k["rep_proposal_count"],
                premature_proposals=k["premature_proposal_count"],
                affirmations_per_customer_minute=k["affirmations_per_customer_minute"],
                listening_window_customer_share=k["listening_window_customer_share"],
                rep_talk_share=k["rep_talk_share"],
                ask_to_proposal_latency_median=k["ask_to_proposal_latency_median"],
                computed_at=now,
            )
        )
    MeetingScore.objects.bulk_create(
        scores,
        update_conflicts=True,
        unique_fields=["meeting"],
        update_fields=list(_SCORE_FIELDS),
        batch_size=500,
    )


def meeting_waveform_store(*, meeting, wav_path) -> None:
    """Waveform peaks for the player, computed by the worker while the decoded WAV is on its disk
    and stored beside the audio, so the web side never fetches the WAV from a bucket to draw it."""
    from coaching import waveform

    waveform.peaks_store(wav_path, waveform.peaks_name(meeting.audio_dir))
