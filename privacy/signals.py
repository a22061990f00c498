"""Deletion follows the data wherever it is deleted from: files go after the commit and an
audit row records it. Connected in PrivacyConfig.ready."""

import posixpath

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, pre_delete

from privacy import services
from privacy.models import ErasureLog


def _meeting_deleted(sender, instance, **kwargs) -> None:
    files = services.meeting_files(instance)
    services.files_remove_on_commit(files, [services.meeting_folder(instance)])
    erasure = services.current_erasure()
    services.audit_record(
        action=ErasureLog.Action.MEETING_DELETED,
        actor=erasure.actor,
        reason=erasure.reason,
        meeting=instance,
        counts={"files": len(files)},
    )


def _enrolment_deleted(sender, instance, **kwargs) -> None:
    if instance.clip:
        name = instance.clip.name
        services.files_remove_on_commit([name], [posixpath.dirname(name)] if "/" in name else [])


def _user_deleting(sender, instance, **kwargs) -> None:
    erasure = services.current_erasure()
    services.audit_record(
        action=ErasureLog.Action.USER_DELETED,
        actor=erasure.actor if getattr(erasure.actor, "pk", None) != instance.pk else None,
        reason=erasure.reason,
        subject_user_id=instance.pk,
        counts={"meetings": instance.meetings.count()},
    )


def connect() -> None:
    from meetings.models import Meeting, VoiceEnrolment

    post_delete.connect(_meeting_deleted, sender=Meeting, dispatch_uid="privacy_meeting_deleted")
    post_delete.connect(_enrolment_deleted, sender=VoiceEnrolment, dispatch_uid="privacy_enrolment_deleted")
    pre_delete.connect(_user_deleting, sender=get_user_model(), dispatch_uid="privacy_user_deleting")
