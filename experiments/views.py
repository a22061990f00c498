"""Thin views: parse the request, call one service or selector, render."""

from __future__ import annotations

import datetime
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coaching.trends import team_get_for_user
from experiments import selectors, services, wording
from experiments.engine import CONDITIONS, TEST, analyse, assign_arms, rep_summaries
from experiments.forms import ExperimentForm
from experiments.models import ExperimentArm


@login_required
def experiment_list(request):
    user = request.user
    can_start = user.is_staff or getattr(getattr(user, "profile", None), "is_manager", False)
    experiments = selectors.experiment_list_for_user(user)[:200]
    today = timezone.localdate()
    rows = [{"experiment": e, "status": e.status(today)} for e in experiments]
    return render(request, "experiments/list.html", {"rows": rows, "can_start": can_start})


@login_required
def experiment_new(request):
    team = team_get_for_user(request.user, _int(request.GET.get("team")))
    reps = list(selectors.team_reps(team))
    if request.method == "POST":
        form = ExperimentForm(request.POST, reps=reps)
        if form.is_valid():
            try:
                experiment = services.experiment_start(
                    team=team, created_by=request.user, **form.service_arguments()
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The experiment is set up. Tell the test group what to try."))
                return redirect("experiments:detail", experiment.pk)
        status = 400
    else:
        seed = secrets.randbelow(1_000_000)
        drawn = assign_arms([r.pk for r in reps], seed)
        today = timezone.localdate()
        form = ExperimentForm(
            reps=reps,
            initial={
                "seed": seed,
                "test_reps": [r for r, arm in drawn.items() if arm == TEST],
                "start_on": today,
                "end_on": today + datetime.timedelta(days=27),
            },
        )
        status = 200
    teams = selectors.teams_for_admin(request.user)  # admins pick the team; a manager has one
    context = {"form": form, "team": team, "teams": teams}
    return render(request, "experiments/new.html", context, status=status)


@login_required
def experiment_detail(request, experiment_id: int):
    experiment = selectors.experiment_get_for_user(request.user, experiment_id)
    can_manage = selectors.experiment_can_manage(request.user, experiment)
    today = timezone.localdate()
    status = experiment.status(today)
    condition = CONDITIONS[experiment.behaviour]
    reps, source = selectors.experiment_rep_data(experiment, today)
    analysis = analyse(reps, op=condition.op, bar=experiment.bar, target_share=experiment.target_share)
    arms = selectors.experiment_arms(experiment)
    names = {a.rep_id: a.rep.get_full_name() or a.rep.username for a in arms}
    context = {
        "experiment": experiment,
        "status": status,
        "provisional": status != "finished",
        "can_manage": can_manage,
        "days_elapsed": experiment.days_elapsed(today),
        "baseline": experiment.baseline(),
        "target": wording.target_text(experiment),
        "analysis": analysis,
        "source": source,
        "results": wording.result_rows(analysis, source=source),
        "conclusion": wording.conclusion(
            analysis, running=status == "running", chosen=experiment.assignment == "chosen"
        ),
        "my_arm": next((a for a in arms if a.rep_id == request.user.pk), None),
        "group_sizes": {arm: sum(a.arm == arm for a in arms) for arm in ExperimentArm.Arm.values},
    }
    if can_manage:  # each rep's numbers: for their manager and admins only
        context["arms"] = arms
        context["rep_rows"] = [
            {
                "name": names.get(s.rep_id, "?"),
                "summary": s,
                "share": wording.percent(s.share),
                "baseline": wording.percent(s.baseline_share),
                "win_rate": wording.percent(s.win_rate),
            }
            for s in rep_summaries(reps, op=condition.op, bar=experiment.bar)
        ]
    return render(request, "experiments/detail.html", context)


@login_required
@require_POST
def experiment_stop(request, experiment_id: int):
    experiment = selectors.experiment_get_for_user(request.user, experiment_id)
    if not selectors.experiment_can_manage(request.user, experiment):
        raise Http404("No such experiment.")
    try:
        services.experiment_stop(experiment=experiment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The experiment is stopped; the results count the days it ran."))
    return redirect("experiments:detail", experiment.pk)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
