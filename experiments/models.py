"""Experiments: half a team tries a behaviour for a period, the other half carries on, and the
page compares the two. The experiment owns its groups (ExperimentArm, one row per rep), fixed
when it starts, so a rep who later changes team still counts where they were drawn."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Experiment(models.Model):
    class Behaviour(models.TextChoices):
        # Keys are MeetingScore columns; experiments.engine.CONDITIONS says what "did it" means.
        ASKS = "asks", _("Customer asks")
        AFFIRMATIONS = "affirmations_per_customer_minute", _("Affirmations per customer-minute")
        CASE_STUDIES = "case_studies", _("Case studies")
        LISTENING = "listening_window_customer_share", _("Listening-window share")
        PREMATURE = "premature_proposals", _("Premature proposals")

    class Assignment(models.TextChoices):
        RANDOM = "random", _("Random half, from the seed")
        CHOSEN = "chosen", _("Chosen by hand")

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="experiments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("what the test group tries"), max_length=200)
    behaviour = models.CharField(_("behaviour"), max_length=64, choices=Behaviour.choices)
    bar = models.FloatField(_("bar per meeting"))  # a meeting "did it" when its KPI meets this bar
    target_share = models.FloatField(_("target share of meetings"))  # 0..1
    start_on = models.DateField(_("start"))
    end_on = models.DateField(_("end"))
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    seed = models.PositiveIntegerField(_("seed"))
    assignment = models.CharField(max_length=8, choices=Assignment.choices, default=Assignment.RANDOM)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="experiment_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=models.Q(target_share__gte=0) & models.Q(target_share__lte=1),
                name="experiment_target_is_a_share",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def last_day(self) -> datetime.date:
        """The period's last day: the planned end, or the day before it was stopped (so another
        experiment can start the day one is stopped)."""
        if self.stopped_on is None:
            return self.end_on
        return min(self.end_on, self.stopped_on - datetime.timedelta(days=1))

    @property
    def planned_days(self) -> int:
        return (self.end_on - self.start_on).days + 1

    def days_elapsed(self, today: datetime.date) -> int:
        """Days of the period that have begun, today included (0 before the start)."""
        return max(min((min(today, self.last_day) - self.start_on).days + 1, self.planned_days), 0)

    def baseline(self) -> tuple[datetime.date, datetime.date]:
        """As many days just before the start as the period planned."""
        before = datetime.timedelta(days=self.planned_days)
        return self.start_on - before, self.start_on - datetime.timedelta(days=1)

    def status(self, today: datetime.date) -> str:
        """planned, running or finished (the end has passed, or a manager stopped it)."""
        if self.stopped_on is not None:
            return "finished"
        if today < self.start_on:
            return "planned"
        return "running" if today <= self.end_on else "finished"


class ExperimentArm(models.Model):
    """Which group one rep was drawn into."""

    class Arm(models.TextChoices):
        TEST = "test", _("Test group")
        CONTROL = "control", _("Control group")

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="arms")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="experiment_arms"
    )
    arm = models.CharField(max_length=8, choices=Arm.choices)

    class Meta:
        ordering = ["experiment", "arm", "rep__username"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "rep"], name="one_arm_per_rep_per_experiment")
        ]

    def __str__(self) -> str:
        return f"{self.rep_id} in {self.arm} of {self.experiment_id}"
