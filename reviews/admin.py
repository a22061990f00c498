from django.contrib import admin

from reviews.models import Comment, MomentFeedback, Notification, Target


@admin.register(MomentFeedback)
class MomentFeedbackAdmin(admin.ModelAdmin):
    list_display = ("created_at", "behaviour_key", "rule_key", "text", "user", "meeting")
    list_filter = ("behaviour_key", "language")
    search_fields = ("text", "rule_key", "note")
    raw_id_fields = ("meeting", "moment", "user")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("created_at", "author", "meeting", "body")
    raw_id_fields = ("meeting", "moment", "author")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("team", "rep", "kpi", "value", "updated_at")
    list_filter = ("team", "kpi")


admin.site.register(Notification)
