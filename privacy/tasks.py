"""Periodic retention (CELERY_BEAT_SCHEDULE runs it; `manage.py apply_retention` does the same)."""

from celery import shared_task


@shared_task(acks_late=True)
def retention_apply_periodic() -> dict:
    from privacy.retention import retention_apply

    report = retention_apply()
    return {"audio": len(report.audio_removed), "transcripts": len(report.transcripts_removed)}
