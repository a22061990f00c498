from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import User

from accounts.models import Profile, Team


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ("name",)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ProfileInline]
