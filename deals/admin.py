from django.contrib import admin

from deals.models import Deal, DealMeeting


class DealMeetingInline(admin.TabularInline):
    model = DealMeeting
    extra = 0
    raw_id_fields = ("meeting",)


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("name", "customer_name", "owner", "stage", "outcome", "opened_on", "closed_on")
    list_filter = ("outcome", "stage", "team")
    search_fields = ("name", "customer_name", "crm_id")
    inlines = [DealMeetingInline]
