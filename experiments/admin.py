from django.contrib import admin

from experiments.models import Experiment, ExperimentArm


class ExperimentArmInline(admin.TabularInline):
    model = ExperimentArm
    extra = 0
    raw_id_fields = ("rep",)


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "behaviour", "start_on", "end_on", "stopped_on")
    list_filter = ("team", "behaviour")
    inlines = [ExperimentArmInline]
