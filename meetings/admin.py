from django.contrib import admin

from meetings.models import Meeting, Segment


class SegmentInline(admin.TabularInline):
    model = Segment
    extra = 0
    fields = ("index", "start", "end", "speaker", "text")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "held_on", "status", "duration_seconds", "detected_language")
    list_filter = ("status", "language", "team")
    search_fields = ("title", "customer_name", "owner__username")
    readonly_fields = (
        "public_id",
        "status",
        "progress",
        "error_code",
        "error",
        "chunks_total",
        "chunks_done",
    )
    inlines = [SegmentInline]
