"""Filters of the meeting list (django-filter): bad values answer 400 with the field named."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting

# Larger numbers are no row's id, and PostgreSQL would refuse them (auth users and rule version
# numbers are 32-bit integers, meetings and teams 64-bit): they answer 400 or 404, not 500.
MAX_INT = 2**31 - 1
MAX_BIGINT = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, max_value: int = MAX_BIGINT, **kwargs):
        super().__init__(*args, min_value=1, max_value=max_value, **kwargs)


class MeetingFilter(django_filters.FilterSet):
    rep = IdFilter(field_name="owner_id", max_value=MAX_INT, help_text=_("The rep's user id."))
    team = IdFilter(field_name="team_id")
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices)
    outcome = django_filters.ChoiceFilter(choices=Meeting.Outcome.choices)
    language = django_filters.ChoiceFilter(
        choices=[c for c in Meeting.Language.choices if c[0] != Meeting.Language.AUTO],
        method="filter_language",
        help_text=_("The language spoken: as detected, or as chosen at upload."),
    )
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")
    customer = django_filters.CharFilter(field_name="customer_name", lookup_expr="icontains")

    class Meta:
        model = Meeting
        fields = ["rep", "team", "status", "outcome", "language", "held_after", "held_before", "customer"]

    def filter_language(self, queryset, name, value):
        return queryset.filter(Q(detected_language=value) | Q(detected_language="", language=value))
