"""Company models: trained on a worker from the company's labels, published like a rule version.

Labels come from every labelled set (uploaded, or meetings marked in the workbench) and from
reps' "not right" marks on moments (that turn lacks that behaviour). Publishing makes the model
score every meeting (a rescoring job); using the base model again, or an earlier version, is
another publish, so every step is in the audit log.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from coaching.engine.learned.company import train_company_model
from coaching.engine.learned.model import model_from_bytes, model_to_bytes
from coaching.engine.scoring import LabelledMeeting, meeting_from_json
from coaching.models import DetectorVersion, LabelledSet, MeetingTokens, RescoreJob
from coaching.workbench.services import audit, rescore_job_start


class DetectorStateError(ValueError):
    """A version that cannot be published (still training, failed, or not better)."""


def _actor_or_none(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def detector_training_start(*, actor: Any, comment: str = "") -> DetectorVersion:
    """A new version in training; the worker trains it once the transaction commits."""
    from coaching import tasks

    with transaction.atomic():
        number = (DetectorVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        version = DetectorVersion.objects.create(
            number=number, comment=comment[:1000], created_by=_actor_or_none(actor)
        )
        audit(actor=actor, action="detector-train", target=f"m{number}", after={"comment": comment})
        transaction.on_commit(lambda: tasks.detector_train_run.delay(version.pk))
    return version


def company_labels() -> tuple[list[LabelledMeeting], list[LabelledMeeting], dict[str, dict[str, list[int]]]]:
    """(labelled meetings, meetings with "not right" marks, the marked turns per behaviour).

    A meeting labelled in several sets counts once (the newest set's labels)."""
    from reviews.models import MomentFeedback

    labelled: dict[str, LabelledMeeting] = {}
    for meetings_json in LabelledSet.objects.order_by("created_at", "id").values_list("meetings", flat=True):
        for data in meetings_json or []:
            try:
                m = meeting_from_json(data)
            except (KeyError, TypeError, ValueError):
                continue  # an entry the upload form let through but training cannot use
            labelled[m.id or f"entry-{len(labelled)}"] = m
    marks: dict[int, dict[str, set[int]]] = {}
    for meeting_id, turn, behaviour in MomentFeedback.objects.filter(
        verdict=MomentFeedback.Verdict.NOT_RIGHT, moment__isnull=False
    ).values_list("meeting_id", "moment__turn_index", "behaviour_key"):
        marks.setdefault(meeting_id, {}).setdefault(behaviour, set()).add(turn)
    feedback, feedback_turns = [], {}
    for cache in MeetingTokens.objects.filter(meeting_id__in=marks).only("meeting_id", "language", "turns"):
        mid = f"feedback-{cache.meeting_id}"
        if f"meeting-{cache.meeting_id}" in labelled:
            continue  # an admin labelled the whole meeting: their labels decide
        feedback.append(meeting_from_json({"id": mid, "language": cache.language, "turns": cache.turns}))
        feedback_turns[mid] = {b: sorted(t) for b, t in marks[cache.meeting_id].items()}
    return list(labelled.values()), feedback, feedback_turns


def detector_train(*, version_id: int) -> DetectorVersion:
    """Train the version from today's labels and store the model and its held-out report."""
    from coaching.detector import base_detector
    from coaching.services import scoring_rules_active

    version = DetectorVersion.objects.get(pk=version_id)
    labelled, feedback, feedback_turns = company_labels()
    rules = scoring_rules_active()

    def progress(fraction: float) -> None:
        DetectorVersion.objects.filter(pk=version_id).update(progress=round(fraction, 3))

    result = train_company_model(
        labelled,
        rules=rules.by_language,
        base=base_detector(),
        name=f"company-m{version.number}",
        per_turn=rules.per_turn,
        per_sentence=rules.per_sentence,
        feedback=feedback,
        feedback_turns=feedback_turns,
        progress=progress,
    )
    version.report = result.report
    version.progress = 1.0
    version.finished_at = timezone.now()
    if result.model is None:
        version.status = DetectorVersion.Status.KEEPS_BASE
    else:
        data = model_to_bytes(result.model)
        version.data, version.digest = data, model_from_bytes(data).digest
        version.status = DetectorVersion.Status.READY
    version.save(update_fields=["report", "progress", "finished_at", "status", "data", "digest"])
    return version


def detector_train_failed(*, version_id: int, error: str) -> None:
    DetectorVersion.objects.filter(pk=version_id).update(
        status=DetectorVersion.Status.FAILED, error=error[:500], finished_at=timezone.now()
    )


def _publish(*, actor: Any, version: DetectorVersion | None, action: str) -> RescoreJob | None:
    from coaching.selectors import active_rule_version

    with transaction.atomic():
        before = DetectorVersion.objects.select_for_update().filter(is_active=True).first()
        DetectorVersion.objects.filter(is_active=True).update(is_active=False)
        if version is not None:
            DetectorVersion.objects.filter(pk=version.pk).update(is_active=True, published_at=timezone.now())
        audit(
            actor=actor,
            action=action,
            target=version.label if version else "base",
            before={"model": before.label if before else "base"},
            after={"model": version.label if version else "base"},
        )
        ruleset = active_rule_version()
        return rescore_job_start(ruleset=ruleset) if ruleset is not None else None


def detector_publish(*, actor: Any, version: DetectorVersion) -> RescoreJob | None:
    """Score every meeting with this company model (an earlier one too: that is a restore)."""
    if version.status != DetectorVersion.Status.READY or not version.digest:
        raise DetectorStateError(version.get_status_display())
    return _publish(actor=actor, version=version, action="detector-publish")


def detector_use_base(*, actor: Any) -> RescoreJob | None:
    """Stop using company models: the base model that ships scores every meeting again."""
    return _publish(actor=actor, version=None, action="detector-use-base")
