"""Precision, recall and F1 on labelled meetings (shared/eval/FORMAT.md): rules, the learned
detector, or both (what the product counts), and which of them found each hit and miss."""

import json

from django.core.management.base import BaseCommand, CommandError

from coaching.engine import find_moments
from coaching.engine.detect import model_scores, with_model_moments
from coaching.engine.learned import ModelError, load_model
from coaching.engine.rules import RuleError, load_pack
from coaching.engine.scoring import labels_from_moments, load_labelled, score
from coaching.engine.types import BEHAVIOURS

DETECTORS = ("both", "rules", "model")


class Command(BaseCommand):
    help = "Evaluate behaviour detection (rules, model, or both) on a labelled JSONL file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print only {language: {behaviour: scores}}")
        parser.add_argument(
            "--predictions", help="write the meetings with detected labels to this JSONL file"
        )
        parser.add_argument("--pack", help="use this rule-pack file instead of the active rules")
        parser.add_argument("--model", help="use this model file instead of the active detector")
        parser.add_argument(
            "--detector",
            choices=DETECTORS,
            default="both",
            help="what finds the moments: rules and model together (default, as scored meetings), or one alone",
        )
        parser.add_argument("--compare", action="store_true", help="print rules, model and both side by side")

    def handle(self, *args, **opts):
        try:
            meetings = load_labelled(opts["file"])
            rules = list(load_pack(opts["pack"]).rules) if opts["pack"] else _active_rules()
            model = load_model(opts["model"]) if opts["model"] else _active_model()
        except (OSError, ValueError, KeyError, RuleError, ModelError) as exc:
            raise CommandError(str(exc)) from None
        found = {m.id: _detections(m, rules, model) for m in meetings}
        detectors = DETECTORS if opts["compare"] else (opts["detector"],)
        reports = {}
        for d in detectors:
            predictions = {mid: labels_from_moments(by[d]) for mid, by in found.items()}
            reports[d] = score(meetings, predictions)
        chosen = detectors[0]
        report, diffs = reports[chosen]
        if opts["predictions"]:
            with open(opts["predictions"], "w", encoding="utf-8") as fh:
                for m in meetings:
                    labels = labels_from_moments(found[m.id][chosen])
                    fh.write(json.dumps({**m.raw, "labels": labels}, ensure_ascii=False) + "\n")
        if opts["json"]:
            out = {d: r[0] for d, r in reports.items()} if opts["compare"] else report
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        if model is None and chosen != "rules":
            self.stdout.write("(no learned detector is active: the figures are the rules' alone)")
        for lang in report:
            self.stdout.write(f"[{lang}]")
            for b in BEHAVIOURS:
                for d in detectors:
                    s = reports[d][0].get(lang, {}).get(b)
                    if s is None:
                        continue
                    label = f"{b:28}" + (f" {d:6}" if opts["compare"] else "")
                    self.stdout.write(
                        f"  {label} P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f} n={s['support']}"
                    )
        if diffs:
            self.stdout.write(f"\nDifferences ({chosen}; expected vs got; found by):")
        for d in diffs:
            kind = "MISS" if d.got < d.expected else "FALSE HIT"
            self.stdout.write(
                f"  {kind:9} {d.meeting} turn {d.turn} {d.behaviour}: expected {d.expected}, got {d.got}"
                f" [{_found_by(found[d.meeting], d.behaviour, d.turn)}] | {d.text}"
            )


def _detections(meeting, rules, model):
    """{"rules": [...], "model": [...], "both": [...]} moments of one labelled meeting."""
    by_rules = find_moments(meeting.turns, rules, language=meeting.language)
    if model is None:
        return {"rules": by_rules, "model": [], "both": by_rules}
    scores = model_scores(model, meeting.turns, meeting.language)
    alone = with_model_moments(meeting.turns, [], model, scores, language=meeting.language)
    both = with_model_moments(meeting.turns, by_rules, model, scores, language=meeting.language)
    return {"rules": by_rules, "model": alone, "both": both, "scores": scores}


def _found_by(found, behaviour, turn):
    """What found (or nearly found) the behaviour in this turn: rule keys, the model's score."""
    parts = [m.rule for m in found["rules"] if m.behaviour == behaviour and m.turn == turn]
    p = (found.get("scores") or {}).get(behaviour)
    if p and turn < len(p) and p[turn] is not None:
        parts.append(f"model {p[turn]:.2f}")
    return ", ".join(parts) or "-"


def _active_rules():
    """The active version's rules (the default pack before the database has any)."""
    from django.db import DatabaseError

    from coaching.engine import default_pack
    from coaching.selectors import rules_active

    try:
        return rules_active() or list(default_pack().rules)
    except DatabaseError:  # not migrated yet: the shipped pack
        return list(default_pack().rules)


def _active_model():
    from coaching.detector import detector_active

    return detector_active()
