from django.contrib import admin
from django.contrib.auth import get_user_model

from accounts.admin import UserAdmin
from meetings.admin import MeetingAdmin
from meetings.models import Meeting
from privacy.models import ErasureLog, MeetingConsent, TeamPolicy
from privacy.services import erasure_by


@admin.register(TeamPolicy)
class TeamPolicyAdmin(admin.ModelAdmin):
    list_display = ("team", "audio_days", "transcript_days", "consent_required", "updated_at")


@admin.register(MeetingConsent)
class MeetingConsentAdmin(admin.ModelAdmin):
    list_display = ("meeting", "told_on", "method", "recorded_by")
    raw_id_fields = ("meeting",)


@admin.register(ErasureLog)
class ErasureLogAdmin(admin.ModelAdmin):
    """Read-only: an audit trail nobody edits."""

    list_display = ("created_at", "action", "actor_name", "meeting_public_id", "subject_user_id", "reason")
    list_filter = ("action",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class _AuditedDeletes:
    """Deletions in the admin are audited with the admin who made them."""

    def delete_model(self, request, obj) -> None:
        with erasure_by(request.user, "deleted in the admin"):
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request, queryset) -> None:
        with erasure_by(request.user, "deleted in the admin"):
            super().delete_queryset(request, queryset)  # type: ignore[misc]


class AuditedUserAdmin(_AuditedDeletes, UserAdmin):
    pass


class AuditedMeetingAdmin(_AuditedDeletes, MeetingAdmin):
    pass


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AuditedUserAdmin)
admin.site.unregister(Meeting)
admin.site.register(Meeting, AuditedMeetingAdmin)
