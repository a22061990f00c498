"""Train the learned detector from labelled meetings (FORMAT.md) and write a model file.

`--base` rebuilds the model that ships (coaching/engine/learned/base/) from the sources that
base/training.json lists, and rewrites the manifest with its checksum and cross-validated report.
"""

import dataclasses
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coaching.engine import find_moments
from coaching.engine.learned import BASE_DIR, BASE_MANIFEST, save_model
from coaching.engine.learned.train import train_detector
from coaching.engine.rules import RuleError, default_pack, load_pack
from coaching.engine.scoring import labels_from_moments, load_labelled
from coaching.engine.types import BEHAVIOURS

TRAINING = BASE_DIR / "training.json"


class Command(BaseCommand):
    help = "Train the learned detector on labelled meetings and write a model file."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="labelled JSONL files")
        parser.add_argument("--out", help="where to write the model (.npz)")
        parser.add_argument("--name", default="custom", help="the model's name")
        parser.add_argument("--base", action="store_true", help="rebuild the shipped base model")
        parser.add_argument("--c", type=float, default=4.0, help="inverse regularisation strength")

    def handle(self, *args, **opts):
        if opts["base"]:
            sources = json.loads(TRAINING.read_text(encoding="utf-8"))
            name, out = sources["name"], BASE_DIR / sources["file"]
            entries = sources["sources"]
        else:
            if not opts["files"] or not opts["out"]:
                raise CommandError("give labelled files and --out (or --base)")
            name, out = opts["name"], Path(opts["out"])
            entries = [{"file": f} for f in opts["files"]]
        meetings, rule_labels = [], {}
        try:
            for entry in entries:
                path = Path(settings.BASE_DIR) / entry["file"] if opts["base"] else Path(entry["file"])
                pack = (
                    load_pack(Path(settings.BASE_DIR) / entry["rules"])
                    if entry.get("rules")
                    else default_pack()
                )
                for m in load_labelled(path):
                    m_id = f"{entry['file']}#{m.id}"
                    meetings.append(dataclasses.replace(m, id=m_id))
                    rule_labels[m_id] = labels_from_moments(
                        find_moments(m.turns, list(pack.rules), language=m.language)
                    )
        except (OSError, ValueError, KeyError, RuleError) as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"training on {len(meetings)} meetings…")
        model, report = train_detector(
            meetings,
            name=name,
            rule_labels=rule_labels,
            c=opts["c"],
            progress=lambda f: self.stderr.write(f"  {f:.0%}"),
        )
        sha = save_model(model, out)
        for lang, behaviours in report.items():
            self.stdout.write(f"[{lang}] cross-validated (meetings never split across folds)")
            for b in BEHAVIOURS:
                e = behaviours.get(b)
                if e is None:
                    continue
                if "rules" not in e:
                    self.stdout.write(f"  {b:28} {e.get('skipped')} ({e['positives']} labelled turns)")
                    continue
                line = "  ".join(f"{k} F1={e[k]['f1']:.3f}" for k in ("rules", "model", "rules+model"))
                state = f"threshold {e['threshold']:.3f}" if "skipped" not in e else e["skipped"]
                self.stdout.write(f"  {b:28} {line}  ({state}; {e['positives']} labelled turns)")
        self.stdout.write(f"wrote {out} (sha256 {sha[:12]}…)")
        if opts["base"]:
            manifest = {
                "name": name,
                "file": sources["file"],
                "sha256": sha,
                "sources": entries,
                "report": report,
            }
            BASE_MANIFEST.write_text(
                json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            self.stdout.write(f"wrote {BASE_MANIFEST}")
