"""CRM import: upload → preview (nothing written; the mapping can be changed) → confirm.

The uploaded text travels between the steps inside the page, signed and compressed, so a preview
stores nothing on the server and the confirm re-reads exactly what was previewed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import Team
from coaching.trends import team_get_for_user
from deals import crm_import, crm_match, import_wording, selectors, services
from deals.forms import CrmUploadForm, mapping_from_post

SALT = "deals.crm_import"
MAX_AGE_S = 3600


def _team_id(request) -> int | None:
    value = request.POST.get("team") or request.GET.get("team") or ""
    return int(value) if value.isdigit() else None


def _load(request) -> tuple[crm_import.Table, str, str, bool]:
    """(table, signed blob, file name, fresh upload) from the request, or CrmFileError."""
    upload = request.FILES.get("file")
    if upload is not None:
        raw = upload.read(crm_import.MAX_BYTES + 1)
        text, encoding = crm_import.decode(raw)
        blob = signing.dumps({"t": text, "e": encoding, "f": upload.name}, salt=SALT, compress=True)
        if len(blob) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 0.9:  # the preview must post it back
            raise crm_import.CrmFileError("too_big_to_preview")
        return crm_import.table_from_text(text, encoding), blob, upload.name, True
    blob = request.POST.get("blob", "")
    if not blob:
        raise crm_import.CrmFileError("no_file")
    try:
        data = signing.loads(blob, salt=SALT, max_age=MAX_AGE_S)
    except signing.BadSignature:
        raise crm_import.CrmFileError("expired") from None
    return crm_import.table_from_text(data["t"], data["e"]), blob, data["f"], False


@login_required
def deal_import(request):
    team = team_get_for_user(request.user, _team_id(request))  # reps: 404
    context: dict[str, Any] = {
        "team": team,
        "teams": Team.objects.order_by("name") if request.user.is_staff else [team],
        "form": CrmUploadForm(),
    }
    if request.method != "POST":
        return render(request, "deals/import.html", context)
    try:
        table, blob, filename, fresh = _load(request)
    except crm_import.CrmFileError as error:
        context["error"] = import_wording.file_error(error.code, error.params)
        return render(request, "deals/import.html", context, status=400)
    if fresh:
        mapping = crm_import.guess_mapping(table.headers)
    else:
        mapping = mapping_from_post(request.POST, len(table.headers))
    context.update(
        blob=blob,
        filename=filename,
        table=table,
        format=import_wording.FORMAT_LABELS[crm_import.export_format(table.headers)],
        mapping_rows=[
            {
                "field": f,
                "label": import_wording.FIELD_LABELS[f],
                "chosen": mapping[f],
                "required": f in crm_import.REQUIRED,
            }
            for f in crm_import.FIELDS
        ],
    )
    missing = crm_import.missing_fields(mapping)
    if missing:
        context["error"] = import_wording.missing_columns(missing)
        return render(request, "deals/import.html", context, status=400 if fresh else 200)
    reps, existing, meetings = selectors.crm_import_references(request.user, team)
    plan = crm_match.plan_import(crm_import.parse_rows(table, mapping), reps, existing, meetings)
    if request.POST.get("action") == "confirm":
        try:
            result = services.deals_import_from_crm(plan=plan)
        except (ValidationError, IntegrityError):
            context["error"] = _(
                "The import was not saved: the deals changed while you looked. Check the preview again."
            )
        else:
            messages.success(
                request,
                _("Imported: %(created)s deals created, %(updated)s updated, %(linked)s meetings linked.")
                % {"created": result.created, "updated": result.updated, "linked": result.linked},
            )
            return redirect("deals:list")
    names = {r.id: r.username for r in reps}
    for r in reps:
        full = f"{r.last_name} {r.first_name}".strip()
        names[r.id] = full or r.username
    context.update(
        plan=plan,
        deal_rows=[{"deal": d, "owner": names.get(d.owner_id, "")} for d in plan.deals],
        rejected=[
            {"row": row, "problems": [import_wording.row_problem(code) for code in row.problems]}
            for row in plan.rejected
        ],
    )
    return render(request, "deals/import.html", context)
