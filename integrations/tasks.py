"""Celery tasks of integrations (queue "integrations"): thin, they own only the retries."""

from celery import shared_task

from integrations import crm, services


@shared_task(bind=True, acks_late=True, max_retries=None)
def webhook_deliver(self, delivery_id: int) -> None:
    """One attempt per run; the service says when (if ever) to try again."""
    delay = services.delivery_attempt(delivery_id=delivery_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(bind=True, acks_late=True, max_retries=None)
def crm_push_meeting(self, meeting_id: int) -> None:
    delay = crm.meeting_push(meeting_id=meeting_id)
    if delay is not None:
        raise self.retry(countdown=delay)
