"""Teams and the role each user plays in one. Admins are Django staff."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    class Role(models.TextChoices):
        REP = "rep", _("Sales rep")
        MANAGER = "manager", _("Manager")

    class Language(models.TextChoices):
        BROWSER = "", _("Browser default")
        JA = "ja", _("Japanese")
        EN = "en", _("English")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.REP)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER
