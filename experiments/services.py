"""Writes of experiments: start one (groups drawn or chosen, checked) and stop it early."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments.engine import CONDITIONS, assign_arms
from experiments.models import Experiment, ExperimentArm
from experiments.selectors import can_manage_team, experiments_overlapping, team_reps

MAX_DAYS = 366


@transaction.atomic
def experiment_start(
    *,
    team: Any,
    created_by: Any,
    title: str,
    behaviour: str,
    start_on: datetime.date,
    end_on: datetime.date,
    target_share: float,
    bar: float | None = None,
    test_rep_ids: Iterable[int] | None = None,
    seed: int | None = None,
    today: datetime.date | None = None,
) -> Experiment:
    """Start an experiment in the team. Without test_rep_ids a random half of the team's reps
    (drawn from the seed, itself random if not given) is the test group; with them, the groups
    are as chosen, and the experiment records that they were not drawn unless they match."""
    today = today or timezone.localdate()
    if not can_manage_team(created_by, team):
        raise ValidationError(_("Only the team's manager or an admin starts an experiment."))
    if behaviour not in CONDITIONS:
        raise ValidationError({"behaviour": _("Choose one of the behaviours.")})
    if start_on < today:
        raise ValidationError(
            {"start_on": _("An experiment starts today or later: the test group has to know what to try.")}
        )
    if end_on < start_on:
        raise ValidationError({"end_on": _("The end comes before the start.")})
    if (end_on - start_on).days + 1 > MAX_DAYS:
        raise ValidationError({"end_on": _("An experiment lasts at most a year.")})
    if not 0 <= target_share <= 1:
        raise ValidationError({"target_share": _("The target is a share of meetings, from 0 to 100%.")})
    clash = experiments_overlapping(team, start_on, end_on).first()
    if clash is not None:
        raise ValidationError(
            _(
                "“%(title)s” runs in this team from %(start)s to %(end)s: two experiments at once "
                "would mix their effects. Stop it, or start after it ends."
            )
            % {"title": clash.title, "start": clash.start_on, "end": clash.last_day}
        )
    reps = [r.pk for r in team_reps(team)]
    if len(reps) < 2:
        raise ValidationError(_("An experiment needs at least two reps in the team: one per group."))
    seed = secrets.randbelow(1_000_000) if seed is None else seed
    drawn = assign_arms(reps, seed)
    if test_rep_ids is None:
        arms, assignment = drawn, Experiment.Assignment.RANDOM
    else:
        chosen = set(test_rep_ids)
        if not chosen <= set(reps):
            raise ValidationError({"test_reps": _("The test group can only hold reps of this team.")})
        if not chosen or chosen == set(reps):
            raise ValidationError({"test_reps": _("Both groups need at least one rep.")})
        arms = {rep: ("test" if rep in chosen else "control") for rep in reps}
        assignment = Experiment.Assignment.RANDOM if arms == drawn else Experiment.Assignment.CHOSEN
    experiment = Experiment(
        team=team,
        created_by=created_by,
        title=title.strip(),
        behaviour=behaviour,
        bar=CONDITIONS[behaviour].default_bar if bar is None else bar,
        target_share=target_share,
        start_on=start_on,
        end_on=end_on,
        seed=seed,
        assignment=assignment,
    )
    experiment.full_clean()
    experiment.save()
    ExperimentArm.objects.bulk_create(
        ExperimentArm(experiment=experiment, rep_id=rep, arm=arm) for rep, arm in sorted(arms.items())
    )
    return experiment


def experiment_stop(*, experiment: Experiment, today: datetime.date | None = None) -> Experiment:
    """End the period: it ran until yesterday, and the results count only those days."""
    today = today or timezone.localdate()
    if experiment.status(today) == "finished":
        raise ValidationError(_("This experiment has already ended."))
    experiment.stopped_on = today
    experiment.save(update_fields=["stopped_on"])
    return experiment
