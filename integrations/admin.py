from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from integrations import services
from integrations.models import CrmPush, Delivery, DeliveryAttempt, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "description", "status", "consecutive_failures", "paused_at", "created_at")
    list_filter = ("status",)
    readonly_fields = ("consecutive_failures", "paused_reason", "paused_at", "created_by", "created_at")
    actions = ["resume"]

    @admin.action(description=_("Resume the selected endpoints"))
    def resume(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_resume(endpoint=endpoint)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "started_at", "duration_ms", "status_code", "error", "response_excerpt")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status", "event")
    readonly_fields = ("event_id", "payload", "attempts", "last_status_code", "last_error", "redelivery_of")
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    @admin.action(description=_("Redeliver the selected deliveries"))
    def redeliver(self, request, queryset):
        for delivery in queryset.select_related("endpoint"):
            services.delivery_redeliver(delivery=delivery)


@admin.register(CrmPush)
class CrmPushAdmin(admin.ModelAdmin):
    list_display = ("meeting", "crm", "status", "external_id", "attempts", "pushed_at")
    list_filter = ("crm", "status")
    raw_id_fields = ("meeting",)
