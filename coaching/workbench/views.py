"""Views of the rule workbench: staff only, thin (parse, call one service or selector, render)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from coaching.engine.rules import RuleError
from coaching.models import (
    Behaviour,
    DetectorVersion,
    LabelledSet,
    PhraseRule,
    PreviewJob,
    RescoreJob,
    RuleSet,
)
from coaching.selectors import (
    active_rule_version,
    draft_differs_from_active,
    draft_snapshot,
    rule_dict_from_row,
)
from coaching.workbench import company_model as cm
from coaching.workbench import preview as pv
from coaching.workbench import selectors as sel
from coaching.workbench import services as svc
from coaching.workbench.forms import (
    BehaviourForm,
    LabelledUploadForm,
    PackUploadForm,
    PublishForm,
    RuleForm,
    SentenceTestForm,
)


class StaffRequest(HttpRequest):
    """A request staff_required let through (a signed-in user); HtmxMiddleware adds .htmx."""

    user: User
    htmx: HtmxDetails


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only admins (Django staff) see the workbench; for everyone else it does not exist."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_authenticated and request.user.is_staff):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
def index(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "coaching/workbench/index.html",
        {
            "groups": sel.behaviours_with_rules(),
            "active": active_rule_version(),
            "dirty": draft_differs_from_active(),
            "job": sel.latest_job(),
            "test_form": SentenceTestForm(),
            "publish_form": PublishForm(),
        },
    )


@staff_required
def rule_edit(request: StaffRequest, key: str | None = None) -> HttpResponse:
    row = get_object_or_404(PhraseRule.objects.select_related("behaviour"), key=key) if key else None
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                svc.draft_rule_save(actor=request.user, data=form.cleaned_data["rule"], original_key=key)
            except RuleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Rule saved in the draft."))
                return redirect("workbench:index")
    else:
        initial = (
            RuleForm.initial_from(rule_dict_from_row(row))
            if row
            else {"behaviour": request.GET.get("behaviour"), "language": request.GET.get("language", "ja")}
        )
        form = RuleForm(initial=initial)
    return render(request, "coaching/workbench/rule_form.html", {"form": form, "row": row})


@staff_required
@require_POST
def rule_delete(request: StaffRequest, key: str) -> HttpResponse:
    svc.draft_rule_delete(actor=request.user, key=key)
    messages.success(request, _("Rule removed from the draft."))
    return redirect("workbench:index")


@staff_required
def behaviour_edit(request: StaffRequest, key: str | None = None) -> HttpResponse:
    row = get_object_or_404(Behaviour, key=key) if key else None
    form = BehaviourForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        svc.behaviour_save(actor=request.user, key=form.cleaned_data["key"], data=form.cleaned_data)
        messages.success(request, _("Behaviour saved in the draft."))
        return redirect("workbench:index")
    return render(request, "coaching/workbench/behaviour_form.html", {"form": form, "row": row})


@staff_required
@require_POST
def sentence_tester(request: StaffRequest) -> HttpResponse:
    form = SentenceTestForm(request.POST)
    result = sel.sentence_test(**form.cleaned_data) if form.is_valid() else None
    return render(
        request, "coaching/workbench/index.html#tester-result", {"result": result, "test_form": form}
    )


@staff_required
@require_POST
def preview_new(request: StaffRequest) -> HttpResponse:
    preview = pv.preview_start(user=request.user)
    return redirect("workbench:preview", pk=preview.pk)


def _preview_context(preview: PreviewJob) -> dict[str, Any]:
    return {
        "preview": preview,
        "estimate": pv.precision_estimate(preview.marks),
        "behaviours": Behaviour.objects.in_bulk(field_name="key"),
    }


@staff_required
def preview_page(request: StaffRequest, pk: int) -> HttpResponse:
    preview = pv.preview_settle(preview=get_object_or_404(PreviewJob, pk=pk))
    template = "coaching/workbench/preview.html"
    if request.htmx:
        template += "#preview-body"
    return render(request, template, _preview_context(preview))


@staff_required
@require_POST
def preview_mark_view(request: StaffRequest, pk: int) -> HttpResponse:
    preview = get_object_or_404(PreviewJob, pk=pk)
    pv.preview_mark(
        preview=preview, item_id=request.POST.get("item", ""), right=request.POST.get("right") == "1"
    )
    return render(request, "coaching/workbench/preview.html#preview-body", _preview_context(preview))


@staff_required
@require_POST
def preview_cancel_view(request: StaffRequest, pk: int) -> HttpResponse:
    pv.preview_cancel(preview=get_object_or_404(PreviewJob, pk=pk))
    return redirect("workbench:preview", pk=pk)


@staff_required
@require_POST
def publish(request: StaffRequest) -> HttpResponse:
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment that says what changed."))
        return redirect("workbench:index")
    try:
        version = svc.ruleset_publish(actor=request.user, comment=form.cleaned_data["comment"])
    except RuleError as exc:
        messages.error(request, str(exc))
        return redirect("workbench:index")
    messages.success(request, _("Published rules version %(n)d.") % {"n": version.number})
    return redirect("workbench:job", pk=version.rescore_jobs.latest("id").pk)


@staff_required
@require_POST
def discard(request: StaffRequest) -> HttpResponse:
    svc.draft_discard(actor=request.user)
    return redirect("workbench:index")


@staff_required
def job_page(request: StaffRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(RescoreJob.objects.select_related("ruleset"), pk=pk)
    template = "coaching/workbench/job.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"job": job})


@staff_required
def version_list(request: StaffRequest) -> HttpResponse:
    return render(
        request, "coaching/workbench/versions.html", {"versions": sel.versions(), "upload": PackUploadForm()}
    )


@staff_required
@require_POST
def version_restore(request: StaffRequest, number: int) -> HttpResponse:
    version = svc.ruleset_restore(actor=request.user, ruleset=get_object_or_404(RuleSet, number=number))
    messages.success(request, _("Published rules version %(n)d.") % {"n": version.number})
    return redirect("workbench:job", pk=version.rescore_jobs.latest("id").pk)


def _download(content: str, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json" if fmt == "json" else "application/yaml")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@staff_required
def version_export(request: StaffRequest, number: int) -> HttpResponse:
    version = get_object_or_404(RuleSet, number=number)
    fmt = "json" if request.GET.get("format") == "json" else "yaml"
    return _download(
        svc.pack_export(snapshot=version.snapshot, fmt=fmt, version=str(number)), f"rules-v{number}", fmt
    )


@staff_required
def draft_export(request: StaffRequest) -> HttpResponse:
    fmt = "json" if request.GET.get("format") == "json" else "yaml"
    return _download(svc.pack_export(snapshot=draft_snapshot(), fmt=fmt), "rules-draft", fmt)


@staff_required
@require_POST
def pack_import_view(request: StaffRequest) -> HttpResponse:
    form = PackUploadForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            n = svc.pack_import(actor=request.user, content=f.read(svc.MAX_PACK_BYTES + 1), filename=f.name)
        except RuleError as exc:
            messages.error(request, _("The pack was not imported: %(err)s") % {"err": exc})
        else:
            messages.success(
                request, _("Imported %(n)d rules into the draft. Preview, then publish.") % {"n": n}
            )
            return redirect("workbench:index")
    return redirect("workbench:versions")


@staff_required
def accuracy(request: StaffRequest) -> HttpResponse:
    form = LabelledUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = request.FILES.get("file")
        assert upload is not None and upload.name is not None  # the form validated it
        labelled = LabelledSet.objects.create(
            name=upload.name[:200],
            uploaded_by=request.user,
            meetings=form.cleaned_data["file"],
        )
        svc.audit(
            actor=request.user,
            action="labelled-upload",
            target=labelled.name,
            after={"meetings": len(labelled.meetings)},
        )
        result = sel.accuracy_compare(meetings_json=labelled.meetings)
    elif request.GET.get("set"):
        labelled = get_object_or_404(LabelledSet, pk=request.GET["set"])
        result = sel.accuracy_compare(meetings_json=labelled.meetings)
    return render(
        request,
        "coaching/workbench/accuracy.html",
        {"form": form, "result": result, "sets": LabelledSet.objects.all()[:20]},
    )


@staff_required
def audit(request: StaffRequest) -> HttpResponse:
    return render(request, "coaching/workbench/audit.html", {"rows": sel.audit_log()})


MAX_PER_TURN = 20  # a count above this in one turn is a typo


@staff_required
def label_meeting(request: StaffRequest, pk: int) -> HttpResponse:
    """Mark, turn by turn, how often each behaviour happens in a stored meeting: a labelled
    meeting for the accuracy page, prefilled with what the published rules detected."""
    sheet = sel.label_sheet(meeting_id=pk)
    if sheet is None:
        raise Http404
    if request.method == "POST":
        labels: dict[str, list[int]] = {key: [] for key, _name in sheet["behaviours"]}
        for row in sheet["rows"]:
            for key, _count in row["counts"]:
                raw = request.POST.get(f"n-{row['index']}-{key}", "0").strip() or "0"
                n = int(raw) if raw.isdigit() else -1
                if not 0 <= n <= MAX_PER_TURN:
                    messages.error(
                        request, _("Counts are whole numbers from 0 to %(n)d.") % {"n": MAX_PER_TURN}
                    )
                    return render(request, "coaching/workbench/label.html", sheet, status=400)
                labels[key].extend([row["index"]] * n)
        labelled = svc.meeting_labels_save(
            actor=request.user, meeting_id=pk, labels=labels, set_name=sel.MARKED_SET
        )
        messages.success(
            request,
            _("Saved as a labelled meeting in “%(set)s” (%(n)d meetings).")
            % {"set": labelled.name, "n": len(labelled.meetings)},
        )
        return redirect(f"{reverse('workbench:accuracy')}?set={labelled.pk}")
    return render(request, "coaching/workbench/label.html", sheet)


# ---------------------------------------------------------------- company model
@staff_required
def detector_page(request: StaffRequest) -> HttpResponse:
    """Train a company model, read its held-out figures, publish it or go back to the base."""
    from coaching.detector import company_version_active, detector_active

    versions = sel.detector_versions()
    training = [v for v in versions if v.status == DetectorVersion.Status.TRAINING]
    context = {
        "versions": [(v, sel.report_rows(v)) for v in versions],
        "active": company_version_active(),
        "model": detector_active(),
        "training": bool(training),
        "to_label": sel.turns_to_label(model=detector_active()),
        "labelled_sets": LabelledSet.objects.count(),
    }
    template = "coaching/workbench/detector.html"
    if request.htmx:
        template += "#versions"
    return render(request, template, context)


@staff_required
@require_POST
def detector_train(request: StaffRequest) -> HttpResponse:
    version = cm.detector_training_start(actor=request.user, comment=request.POST.get("comment", ""))
    messages.success(request, _("Training company model m%(n)d on the worker.") % {"n": version.number})
    return redirect("workbench:detector")


@staff_required
@require_POST
def detector_publish(request: StaffRequest, number: int) -> HttpResponse:
    version = get_object_or_404(DetectorVersion.objects.defer("data"), number=number)
    try:
        job = cm.detector_publish(actor=request.user, version=version)
    except cm.DetectorStateError as exc:
        messages.error(request, _("Model m%(n)d cannot be published: %(why)s") % {"n": number, "why": exc})
        return redirect("workbench:detector")
    messages.success(request, _("Company model m%(n)d now scores every meeting.") % {"n": number})
    return redirect("workbench:job", pk=job.pk) if job else redirect("workbench:detector")


@staff_required
@require_POST
def detector_use_base(request: StaffRequest) -> HttpResponse:
    job = cm.detector_use_base(actor=request.user)
    messages.success(request, _("The base model scores every meeting again."))
    return redirect("workbench:job", pk=job.pk) if job else redirect("workbench:detector")
