"""Writes of the rule workbench: draft edits, publish, restore, import; every one audited."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coaching.engine.rules import RuleError, parse_pack, rule_as_dict, rule_from_dict
from coaching.models import AuditLog, Behaviour, LabelledSet, MeetingTokens, PhraseRule, RescoreJob, RuleSet
from coaching.selectors import draft_snapshot, rule_dict_from_row, snapshot_key
from coaching.signals import rules_published

MAX_PACK_BYTES = 2_000_000
MAX_RULES = 3000
_RULE_CORE = ("key", "behaviour", "language", "kind", "pattern", "enabled", "note")


def audit(*, actor: Any, action: str, target: str = "", before: Any = None, after: Any = None) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target=target[:200],
        before=before,
        after=after,
    )


# ---------------------------------------------------------------- draft edits
def behaviour_save(*, actor: Any, key: str, data: dict[str, Any]) -> Behaviour:
    """Create or update a behaviour of the draft (custom ones included)."""
    row = Behaviour.objects.filter(key=key).first()
    before = _behaviour_json(row) if row else None
    fields = {
        k: data[k] for k in ("name_ja", "name_en", "description_ja", "description_en", "count") if k in data
    }
    with transaction.atomic():
        if row is None:
            row = Behaviour(key=key, is_builtin=False, **fields)
        else:
            for k, v in fields.items():
                setattr(row, k, v)
        row.full_clean()
        row.save()
        audit(actor=actor, action="behaviour-save", target=key, before=before, after=_behaviour_json(row))
    return row


def _behaviour_json(b: Behaviour) -> dict[str, Any]:
    return {
        "name_ja": b.name_ja,
        "name_en": b.name_en,
        "description_ja": b.description_ja,
        "description_en": b.description_en,
        "count": b.count,
    }


def draft_rule_save(*, actor: Any, data: dict[str, Any], original_key: str | None = None) -> PhraseRule:
    """Validate a rule through the engine (RE2, sizes, kinds) and store it in the draft.

    Raises RuleError with a sentence for the admin when the rule cannot be used."""
    rule = rule_from_dict(data)  # validates; RuleError on anything unusable
    behaviour = Behaviour.objects.filter(key=rule.behaviour).first()
    if behaviour is None:
        raise RuleError(_("Unknown behaviour %(key)s.") % {"key": rule.behaviour})
    clean = rule_as_dict(rule)
    row = PhraseRule.objects.filter(key=original_key or rule.key).first()
    if (
        row is not None
        and original_key
        and original_key != rule.key
        and PhraseRule.objects.filter(key=rule.key).exists()
    ):
        raise RuleError(_("A rule with the key %(key)s exists already.") % {"key": rule.key})
    before = rule_dict_from_row(row) if row else None
    with transaction.atomic():
        if row is None:
            row = PhraseRule(key=rule.key)
        row.key = rule.key
        row.behaviour = behaviour
        row.language = rule.language
        row.kind = rule.kind
        row.pattern = rule.pattern
        row.enabled = rule.enabled
        row.note = rule.note
        row.constraints = {k: v for k, v in clean.items() if k not in _RULE_CORE}
        row.pack = ""  # hand-edited: a later pack install keeps it
        row.save()
        audit(actor=actor, action="rule-save", target=rule.key, before=before, after=clean)
    return row


def draft_rule_delete(*, actor: Any, key: str) -> None:
    row = PhraseRule.objects.filter(key=key).select_related("behaviour").first()
    if row is None:
        return
    with transaction.atomic():
        before = rule_dict_from_row(row)
        row.delete()
        audit(actor=actor, action="rule-delete", target=key, before=before)


def draft_replace(*, snapshot: dict[str, Any]) -> None:
    """Make the draft rows equal to a snapshot (restore, import). Validates every rule first."""
    pack = snapshot_validate(snapshot)
    with transaction.atomic():
        for key, meta in snapshot.get("behaviours", {}).items():
            Behaviour.objects.update_or_create(
                key=key,
                defaults={
                    "name_ja": (meta.get("name") or {}).get("ja", key)[:100],
                    "name_en": (meta.get("name") or {}).get("en", key)[:100],
                    "description_ja": (meta.get("description") or {}).get("ja", ""),
                    "description_en": (meta.get("description") or {}).get("en", ""),
                    "count": meta.get("count", "per_match"),
                    "is_builtin": bool(meta.get("builtin", False)),
                },
            )
        behaviours = {b.key: b for b in Behaviour.objects.all()}
        PhraseRule.objects.all().delete()
        PhraseRule.objects.bulk_create(
            PhraseRule(
                key=r.key,
                behaviour=behaviours[r.behaviour],
                language=r.language,
                kind=r.kind,
                pattern=r.pattern,
                enabled=r.enabled,
                note=r.note,
                constraints={k: v for k, v in rule_as_dict(r).items() if k not in _RULE_CORE},
            )
            for r in pack.rules
        )
        # Custom behaviours the snapshot does not have leave the draft with their rules.
        Behaviour.objects.exclude(key__in=list(snapshot.get("behaviours", {}))).filter(
            is_builtin=False
        ).delete()


def snapshot_validate(snapshot: dict[str, Any]) -> Any:
    """A snapshot as a RulePack, refused with a sentence when any part of it is unusable."""
    if not isinstance(snapshot, dict) or not isinstance(snapshot.get("rules", []), list):
        raise RuleError(_("A rule pack needs a list of rules."))
    behaviours = snapshot.get("behaviours") or {}
    if not isinstance(behaviours, dict):
        raise RuleError(_("behaviours must be a mapping of key to name, description and count."))
    if len(snapshot.get("rules", [])) > MAX_RULES:
        raise RuleError(_("Too many rules (at most %(n)d).") % {"n": MAX_RULES})
    from django.core.validators import validate_slug

    for key, meta in behaviours.items():
        try:
            validate_slug(key)
        except Exception:
            raise RuleError(
                _("Behaviour key %(key)s must be letters, digits, - or _.") % {"key": key}
            ) from None
        if not isinstance(meta, dict) or meta.get("count", "per_match") not in (
            "per_match",
            "per_sentence",
            "per_turn",
        ):
            raise RuleError(
                _("Behaviour %(key)s: count must be per_match, per_sentence or per_turn.") % {"key": key}
            )
    pack = parse_pack({"version": snapshot.get("version", "draft"), **snapshot})
    known = set(behaviours) | set(Behaviour.objects.values_list("key", flat=True))
    for r in pack.rules:
        if r.behaviour not in known:
            raise RuleError(_("%(rule)s: unknown behaviour %(key)s.") % {"rule": r.key, "key": r.behaviour})
    return pack


# ---------------------------------------------------------------- versions
def ruleset_publish(*, actor: Any, comment: str, source: str = "workbench", rescore: bool = True) -> RuleSet:
    """Publish the draft as the next version, make it active and rescore every meeting."""
    snapshot = draft_snapshot()
    snapshot_validate(snapshot)
    with transaction.atomic():
        previous = RuleSet.objects.select_for_update().filter(is_active=True).first()
        number = (RuleSet.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        RuleSet.objects.filter(is_active=True).update(is_active=False)
        version = RuleSet.objects.create(
            number=number,
            comment=comment,
            author=actor if actor is not None and actor.is_authenticated else None,
            is_active=True,
            source=source,
            snapshot=snapshot,
        )
        audit(
            actor=actor,
            action="publish",
            target=f"v{number}",
            before={"version": previous.number} if previous else None,
            after={"version": number, "comment": comment, "rules": len(snapshot["rules"])},
        )
        if rescore:
            rescore_job_start(ruleset=version)
        transaction.on_commit(
            lambda: rules_published.send(sender=RuleSet, ruleset_id=version.pk), robust=True
        )
    return version


def ruleset_publish_if_changed(*, actor: Any, comment: str, source: str) -> RuleSet | None:
    """Publish only when the draft differs from the active version (load_rule_pack)."""
    active = RuleSet.objects.filter(is_active=True).first()
    if active is not None and snapshot_key(active.snapshot) == snapshot_key(draft_snapshot()):
        return None
    return ruleset_publish(actor=actor, comment=comment, source=source)


def ruleset_restore(*, actor: Any, ruleset: RuleSet) -> RuleSet:
    """Bring back an earlier version: its snapshot becomes the draft and is published anew
    (versions only go forward, so scores always name the rules that made them)."""
    with transaction.atomic():
        draft_replace(snapshot=ruleset.snapshot)
        audit(actor=actor, action="restore", target=f"v{ruleset.number}")
        return ruleset_publish(
            actor=actor,
            comment=_("Restored version %(n)d") % {"n": ruleset.number},
            source=f"restore of {ruleset.number}",
        )


def draft_discard(*, actor: Any) -> None:
    """Throw the draft's edits away: the draft becomes the active version again."""
    active = RuleSet.objects.filter(is_active=True).first()
    if active is None:
        return
    with transaction.atomic():
        draft_replace(snapshot=active.snapshot)
        audit(actor=actor, action="draft-discard", target=f"v{active.number}")


# ---------------------------------------------------------------- rescoring
def rescore_job_start(*, ruleset: RuleSet) -> RescoreJob:
    """A job for every stored meeting with this version and the company model in use; the
    batches are queued once the transaction commits."""
    from coaching.detector import company_version_active
    from coaching.models import MeetingTokens

    RescoreJob.objects.filter(status__in=RescoreJob.UNFINISHED).update(
        status=RescoreJob.Status.CANCELLED, finished_at=timezone.now()
    )
    job = RescoreJob.objects.create(
        ruleset=ruleset, detector=company_version_active(), total=MeetingTokens.objects.count()
    )
    from coaching import tasks

    transaction.on_commit(lambda: tasks.rescore_job_run.delay(job.pk))
    return job


# ---------------------------------------------------------------- files
def pack_export(*, snapshot: dict[str, Any], fmt: str = "yaml", version: str = "draft") -> str:
    data = {
        "version": version,
        "behaviours": snapshot.get("behaviours", {}),
        "rules": snapshot.get("rules", []),
    }
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _yaml_without_aliases(text: str) -> Any:
    """YAML as plain data, refusing anchors and aliases: a rule pack needs none, and a few lines of
    nested aliases expand to billions of rules (the "billion laughs" file)."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=NoAliasLoader)  # a SafeLoader: plain data only


def pack_data_parse(content: bytes) -> dict[str, Any]:
    """A pack file (YAML or JSON) as plain data; RuleError with a sentence when it is not one."""
    if len(content) > MAX_PACK_BYTES:
        raise RuleError(_("The file is too large (at most %(n)d MB).") % {"n": MAX_PACK_BYTES // 1_000_000})
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise RuleError(_("The file is not UTF-8 text.")) from None
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else _yaml_without_aliases(text)
    except Exception as exc:  # yaml/json errors (and nesting too deep): say where
        raise RuleError(_("The file is not valid YAML or JSON: %(err)s") % {"err": str(exc)[:300]}) from None
    if not isinstance(data, dict) or "rules" not in data:
        raise RuleError(_("The file is not a rule pack (it needs behaviours and rules)."))
    if not isinstance(data["rules"] or [], list) or not all(isinstance(r, dict) for r in data["rules"] or []):
        raise RuleError(_("rules must be a list of rules."))
    return data


def pack_parse_file(content: bytes) -> dict[str, Any]:
    """A pack file (YAML or JSON) as a snapshot; RuleError with a sentence when it is not one."""
    data = pack_data_parse(content)
    snapshot = {"behaviours": data.get("behaviours") or {}, "rules": data.get("rules") or []}
    for b in snapshot["behaviours"].values() if isinstance(snapshot["behaviours"], dict) else []:
        if isinstance(b, dict):
            b.setdefault("count", "per_match")
    snapshot_validate(snapshot)
    return snapshot


def pack_read_file(path: str) -> Any:
    """A versioned pack file on disk (``load_rule_pack``) as a RulePack, checked as an imported one
    is: size first (only one byte past the limit is read), then syntax, shape and every rule."""
    with open(path, "rb") as fh:
        content = fh.read(MAX_PACK_BYTES + 1)
    data = pack_data_parse(content)
    if "version" not in data:
        raise RuleError(_("A rule pack needs a version."))
    snapshot_validate({"behaviours": data.get("behaviours") or {}, "rules": data.get("rules") or []})
    return parse_pack(data)


def pack_import(*, actor: Any, content: bytes, filename: str = "") -> int:
    """Replace the draft with a pack file's behaviours and rules (publish separately)."""
    snapshot = pack_parse_file(content)
    before = draft_snapshot()
    with transaction.atomic():
        draft_replace(snapshot=snapshot)
        audit(
            actor=actor,
            action="import",
            target=filename[:200],
            before={"rules": len(before["rules"])},
            after={"rules": len(snapshot["rules"])},
        )
    return len(snapshot["rules"])


def meeting_labels_save(
    *, actor: Any, meeting_id: int, labels: dict[str, list[int]], set_name: str
) -> LabelledSet:
    """Keep a stored meeting with the moments an admin marked as one labelled meeting
    (FORMAT.md's shape) in a set, replacing an earlier marking of the same meeting; the
    accuracy page then measures drafts on real meetings as on uploaded ones."""
    from coaching.workbench.selectors import label_entry_id

    cache = MeetingTokens.objects.select_related("meeting").get(meeting_id=meeting_id)
    entry = {
        "id": label_entry_id(meeting_id),
        "language": cache.language,
        "note": cache.meeting.title,
        "turns": cache.turns,
        "labels": {k: sorted(v) for k, v in labels.items()},
    }
    with transaction.atomic():
        labelled, _ = LabelledSet.objects.select_for_update().get_or_create(
            name=set_name, defaults={"uploaded_by": actor}
        )
        labelled.meetings = [m for m in labelled.meetings if m.get("id") != entry["id"]] + [entry]
        labelled.save(update_fields=["meetings"])
        audit(
            actor=actor,
            action="meeting-label",
            target=f"{set_name}: {cache.meeting.title}",
            after={k: len(v) for k, v in entry["labels"].items()},
        )
    return labelled
