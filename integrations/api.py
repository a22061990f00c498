"""Webhooks in the REST API (/api/v1/webhooks/, /api/v1/webhook-deliveries/): admins only.

Thin like the pages: the same services and selectors; a non-admin's key gets 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from integrations import services
from integrations.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint

FORBIDDEN = OpenApiResponse(description="Only admins manage webhooks.")
NOT_FOUND = OpenApiResponse(description="No such endpoint or delivery.")
BAD_REQUEST = OpenApiResponse(description="Invalid input: the body names each field's errors.")
ENDPOINT_ID = OpenApiParameter("endpoint_id", OpenApiTypes.INT, OpenApiParameter.PATH)
DELIVERY_ID = OpenApiParameter("delivery_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class IsAdmin(permissions.BasePermission):
    message = _("Only admins manage webhooks.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class EndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices), min_length=1)
    secret = serializers.CharField(read_only=True, help_text="Signs every delivery (HMAC-SHA256).")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "secret",
            "status",
            "consecutive_failures",
            "paused_reason",
            "paused_at",
            "created_at",
        ]
        read_only_fields = ["status", "consecutive_failures", "paused_reason", "paused_at", "created_at"]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_excerpt"]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "endpoint",
            "event",
            "event_id",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "manual",
            "redelivery_of",
            "created_at",
            "finished_at",
        ]


class DeliveryDetailSerializer(DeliverySerializer):
    attempt_log = AttemptSerializer(many=True, read_only=True)
    payload = serializers.JSONField(read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "payload", "attempt_log"]


def _as_drf(error: ValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(error.message_dict)


@extend_schema_view(
    list=extend_schema(
        summary="Webhook endpoints (admins)", responses={200: EndpointSerializer(many=True), 403: FORBIDDEN}
    ),
    create=extend_schema(
        summary="Register an endpoint (admins); the answer holds its signing secret",
        responses={201: EndpointSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    ),
    retrieve=extend_schema(
        parameters=[ENDPOINT_ID], responses={200: EndpointSerializer, 403: FORBIDDEN, 404: NOT_FOUND}
    ),
    update=extend_schema(
        parameters=[ENDPOINT_ID],
        responses={200: EndpointSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        parameters=[ENDPOINT_ID],
        responses={200: EndpointSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(parameters=[ENDPOINT_ID], responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND}),
)
class WebhookViewSet(viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated, IsAdmin]
    serializer_class = EndpointSerializer
    queryset = WebhookEndpoint.objects.order_by("pk")
    lookup_url_kwarg = "endpoint_id"
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = services.endpoint_create(
                actor=self.request.user,
                url=data["url"],
                events=data["events"],
                description=data.get("description", ""),
            )
        except ValidationError as error:
            raise _as_drf(error) from None

    def perform_update(self, serializer: Any) -> None:
        endpoint, data = serializer.instance, serializer.validated_data
        try:
            services.endpoint_update(
                endpoint=endpoint,
                url=data.get("url", endpoint.url),
                events=data.get("events", endpoint.events),
                description=data.get("description", endpoint.description),
            )
        except ValidationError as error:
            raise _as_drf(error) from None

    @extend_schema(
        summary="Resume a paused endpoint",
        request=None,
        parameters=[ENDPOINT_ID],
        responses={200: EndpointSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, endpoint_id: str) -> Response:
        endpoint = services.endpoint_resume(endpoint=self.get_object())
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Send a test event (ping), even to a paused endpoint",
        request=None,
        parameters=[ENDPOINT_ID],
        responses={202: DeliverySerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def test(self, request: Request, endpoint_id: str) -> Response:
        delivery = services.ping_send(endpoint=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(
        summary="Webhook deliveries, newest first (admins)",
        parameters=[OpenApiParameter("endpoint", OpenApiTypes.INT, description="Only this endpoint's.")],
        responses={200: DeliverySerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="One delivery with its body and every attempt",
        parameters=[DELIVERY_ID],
        responses={200: DeliveryDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, IsAdmin]
    lookup_url_kwarg = "delivery_id"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        deliveries = Delivery.objects.order_by("-created_at", "-pk")
        endpoint = self.request.query_params.get("endpoint", "")
        if endpoint.isdigit():
            deliveries = deliveries.filter(endpoint_id=int(endpoint))
        return deliveries.prefetch_related("attempt_log") if self.action == "retrieve" else deliveries

    def get_serializer_class(self):
        return DeliveryDetailSerializer if self.action == "retrieve" else DeliverySerializer

    @extend_schema(
        summary="Send the delivery's event again (same event id), as a new delivery",
        request=None,
        parameters=[DELIVERY_ID],
        responses={202: DeliverySerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, delivery_id: str) -> Response:
        again = services.delivery_redeliver(delivery=self.get_object())
        return Response(DeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)
