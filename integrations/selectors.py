"""Reads of webhooks for the admin pages (staff only: the views check)."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from integrations.models import Delivery, WebhookEndpoint

RECENT_DELIVERIES = 50


def endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.annotate(
        failed_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED))
    )


def endpoint_get(endpoint_id: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=endpoint_id)


def deliveries_recent(endpoint: WebhookEndpoint) -> QuerySet[Delivery]:
    return endpoint.deliveries.all()[:RECENT_DELIVERIES]


def delivery_get(endpoint: WebhookEndpoint, delivery_id: int) -> Delivery:
    return get_object_or_404(Delivery.objects.select_related("endpoint"), pk=delivery_id, endpoint=endpoint)
