"""The CRM import's sentences, in the reader's language: the pure modules speak in codes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELD_LABELS: dict[str, Any] = {
    "crm_id": gettext_lazy("CRM id"),
    "name": gettext_lazy("Deal name"),
    "customer": gettext_lazy("Customer / company"),
    "stage": gettext_lazy("Stage"),
    "amount": gettext_lazy("Amount"),
    "opened_on": gettext_lazy("Created date"),
    "closed_on": gettext_lazy("Close date"),
    "owner": gettext_lazy("Owner (rep)"),
    "is_won": gettext_lazy("Won (yes/no)"),
    "is_closed": gettext_lazy("Closed (yes/no)"),
}

FORMAT_LABELS: dict[str, Any] = {
    "salesforce": gettext_lazy("Salesforce export"),
    "hubspot": gettext_lazy("HubSpot export"),
    "other": gettext_lazy("Other CSV (check the columns)"),
}


def file_error(code: str, params: dict[str, Any]) -> str:
    messages = {
        "not_text": _("This file is not a CSV file. Export the deals from your CRM as CSV and upload that."),
        "excel": _(
            "This is an Excel workbook, not a CSV file. In Excel, save it as CSV (UTF-8) and upload that."
        ),
        "empty": _("The file has no deals: it needs a header row and at least one row below it."),
        "no_columns": _(
            "The file has fewer than two columns: it is not a CSV export of deals (comma, tab or semicolon separated)."
        ),
        "too_big": _("The file is larger than %(mb)s MB. Export fewer columns or fewer deals at a time."),
        "too_big_to_preview": _(
            "This file is too large to preview in one go. Export only the columns the import needs, "
            "or fewer deals at a time."
        ),
        "too_many_rows": _("The file has more than %(max)s deals. Import it in parts."),
        "expired": _("This preview has expired. Upload the file again."),
        "no_file": _("Choose a CSV file to upload."),
    }
    return messages.get(code, messages["not_text"]) % params


def missing_columns(fields: list[str]) -> str:
    return _("Columns needed and not found: %(fields)s. Choose them below.") % {
        "fields": ", ".join(str(FIELD_LABELS[f]) for f in fields)
    }


def row_problem(code: str) -> str:
    messages = {
        "no_crm_id": _("no CRM id"),
        "no_name": _("no deal name"),
        "no_customer": _("no customer"),
        "too_long": _("a name or id is too long"),
        "duplicate_crm_id": _("the same CRM id is on an earlier row"),
        "bad_opened_on": _("the created date is not a date"),
        "no_opened_on": _("no created date"),
        "bad_closed_on": _("the close date is not a date"),
        "closed_without_date": _("won or lost without a close date"),
        "closes_before_opening": _("closes before it was created"),
        "bad_amount": _("the amount is not a number"),
        "no_owner": _("no owner"),
        "owner_unknown": _("the owner is not a member of this team (matched by username, e-mail or name)"),
        "owner_ambiguous": _("the owner matches more than one member of this team"),
    }
    return messages.get(code, code)
