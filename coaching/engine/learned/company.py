"""A company's own detector, trained from that company's labels, and the held-out figures an
admin reads before publishing it.

Each company's talk is its own, so the base model (trained on other people's talk) may miss or
mis-fire on it. The company model keeps the base model's heads and replaces one only where the
company's labels train a head that does better there: decided by cross-validation inside the
training meetings, so the held-out meetings stay unseen until they are scored. On those, three
detectors are compared per behaviour: rules alone, rules + base model, rules + company model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coaching.engine.detect import with_model_moments
from coaching.engine.learned.model import DetectorModel
from coaching.engine.learned.train import MIN_POSITIVES, train_detector
from coaching.engine.matching import find_moments
from coaching.engine.scoring import LabelledMeeting, labels_from_moments, score
from coaching.engine.types import BEHAVIOURS, Moment, Rule

HELD_OUT_FRACTION = 0.25
DETECTORS = ("rules", "rules+base", "rules+company")


@dataclass
class CompanyTraining:
    """What training produced: the model to publish (None when no head beat the base model or
    too few labels), and the report shown before publishing."""

    model: DetectorModel | None
    report: dict[str, Any] = field(default_factory=dict)


def held_out_split(
    meetings: Sequence[LabelledMeeting], fraction: float = HELD_OUT_FRACTION
) -> tuple[list[LabelledMeeting], list[LabelledMeeting]]:
    """(training, held-out) meetings, split by a hash of each meeting's id: the same labels give
    the same split on every run, and a meeting is never split."""
    order = sorted(meetings, key=lambda m: hashlib.sha256(m.id.encode()).hexdigest())
    n_held = max(1, round(len(order) * fraction)) if len(order) >= 4 else 0
    return order[n_held:], order[:n_held]


def rule_moments(
    meetings: Sequence[LabelledMeeting],
    rules: Mapping[str, Sequence[Rule]],
    per_turn: Any = None,
    per_sentence: Any = None,
) -> dict[str, list[Moment]]:
    return {
        m.id: find_moments(
            m.turns,
            rules.get(m.language, []),
            language=m.language,
            per_turn=per_turn,
            per_sentence=per_sentence,
        )
        for m in meetings
    }


def evaluate(
    meetings: Sequence[LabelledMeeting],
    found: Mapping[str, Sequence[Moment]],
    model: DetectorModel | None,
    behaviours: Sequence[str] = BEHAVIOURS,
) -> dict[str, dict[str, dict[str, float | int]]]:
    """{language: {behaviour: precision, recall, f1, support}} of the rules' moments `found`
    plus what `model` adds (rules alone when model is None)."""
    preds = {
        m.id: labels_from_moments(
            with_model_moments(m.turns, found[m.id], model, None, language=m.language), behaviours
        )
        for m in meetings
    }
    report, _ = score(meetings, preds, behaviours)
    return report


def train_company_model(
    labelled: Sequence[LabelledMeeting],
    *,
    rules: Mapping[str, Sequence[Rule]],
    base: DetectorModel | None,
    name: str,
    per_turn: Any = None,
    per_sentence: Any = None,
    feedback: Sequence[LabelledMeeting] = (),
    feedback_turns: Mapping[str, Mapping[str, Sequence[int]]] | None = None,
    behaviours: Sequence[str] = BEHAVIOURS,
    progress: Callable[[float], None] | None = None,
) -> CompanyTraining:
    """Train on the labelled meetings outside the held-out split (plus reps' "not right" marks:
    `feedback` meetings whose `feedback_turns` lack the behaviour), keep each company head that
    beats the base head in cross-validation, and score the three detectors on the held-out split."""
    train, held = held_out_split(labelled)
    found = rule_moments([*train, *held, *feedback], rules, per_turn, per_sentence)
    rule_labels = {mid: labels_from_moments(ms, behaviours) for mid, ms in found.items()}
    report: dict[str, Any] = {
        "meetings": {"training": len(train), "held_out": len(held), "feedback": len(feedback)},
        "min_positives": MIN_POSITIVES,
        "behaviours": {},
    }
    if not train:
        report["verdict"] = "too-few-meetings"
        return CompanyTraining(None, report)
    trained, cv = train_detector(
        [*train, *feedback],
        name=name,
        rule_labels=rule_labels,
        behaviours=behaviours,
        progress=(lambda f: progress(0.9 * f)) if progress else None,
        partial=feedback_turns or {},
    )
    base_on_train = evaluate(train, found, base, behaviours)
    heads = dict(base.heads) if base is not None else {}
    chosen: dict[str, str] = {}
    for language, per_behaviour in cv.items():
        for behaviour, entry in per_behaviour.items():
            key = (language, behaviour)
            base_f1 = base_on_train.get(language, {}).get(behaviour, {}).get("f1", 0.0)
            company_f1 = entry.get("rules+model", {}).get("f1", 0.0)
            if key in trained.heads and company_f1 > base_f1:
                heads[key] = trained.heads[key]
                chosen[f"{language}:{behaviour}"] = "company"
            else:
                chosen[f"{language}:{behaviour}"] = "base" if key in heads else "rules"
            report["behaviours"].setdefault(language, {})[behaviour] = {
                "training_positives": entry["positives"],
                "cross_validated": {"rules+base": base_f1, "rules+company": company_f1},
                "head": chosen[f"{language}:{behaviour}"],
                "skipped": entry.get("skipped", ""),
            }
    meta = {"base": base.name if base else None, "heads": chosen, "report": report}
    company = DetectorModel(name, heads, meta) if "company" in chosen.values() else None
    if held:
        scored = {
            "rules": evaluate(held, found, None, behaviours),
            "rules+base": evaluate(held, found, base, behaviours),
            "rules+company": evaluate(held, found, company or base, behaviours),
        }
        for language, per_behaviour in scored["rules"].items():
            for behaviour in per_behaviour:
                row = report["behaviours"].setdefault(language, {}).setdefault(behaviour, {})
                row["held_out"] = {d: scored[d][language][behaviour] for d in DETECTORS}
    report["verdict"] = "trained" if company is not None else "keeps-base"
    if progress:
        progress(1.0)
    return CompanyTraining(company, report)
