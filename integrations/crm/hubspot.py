"""HubSpot adapter: a meeting becomes a note (CRM v3 objects API) on the customer's company.

POST {base}/crm/v3/objects/notes with a private-app token (`Authorization: Bearer …`); the
company is found by exact name (POST /crm/v3/objects/companies/search) and associated with
the HubSpot-defined note→company association (type 190). A second push PATCHes the same note.
"""

from __future__ import annotations

from html import escape
from typing import Any

import httpx

from integrations.crm import CrmError, MeetingActivity

NOTE_TO_COMPANY = 190  # HUBSPOT_DEFINED association type id

KPI_LABELS = {  # the note is read in HubSpot, by people: short English labels
    "asks": "Customer asks",
    "affirmations": "Affirmations",
    "case_studies": "Case studies",
    "proposals": "Proposals",
    "premature_proposals": "Premature proposals",
    "affirmations_per_customer_minute": "Affirmations per customer minute",
    "listening_window_customer_share": "Customer share of the listening window",
    "rep_talk_share": "Rep talk share",
    "ask_to_proposal_latency_median": "Ask → proposal latency (median, s)",
}


def note_body(activity: MeetingActivity) -> str:
    """The note as the small HTML subset HubSpot renders (hs_note_body, at most 65,536 chars)."""
    lines = [f"<p><strong>Aizuchi: {escape(activity.title)}</strong> ({escape(activity.held_on)}, "]
    lines[0] += f"{escape(activity.rep_name)})</p>"
    lines.append("<ul>")
    for key, label in KPI_LABELS.items():
        value = activity.kpis.get(key)
        if value is not None:
            shown = f"{value:.2f}" if isinstance(value, float) else str(value)
            lines.append(f"<li>{escape(label)}: {escape(shown)}</li>")
    lines.append("</ul>")
    if activity.moments:
        lines.append("<p>Moments:</p><ul>")
        for moment in activity.moments[:200]:
            at = moment.get("time")
            stamp = f"{int(at // 60)}:{int(at % 60):02d} " if isinstance(at, int | float) else ""
            lines.append(f"<li>{escape(stamp)}{escape(moment['behaviour'])}: {escape(moment['text'])}</li>")
        lines.append("</ul>")
    if activity.url:
        lines.append(f'<p><a href="{escape(activity.url)}">Open in Aizuchi</a></p>')
    return "".join(lines)[:65536]


class HubSpotAdapter:
    name = "hubspot"

    def __init__(self, *, base_url: str, token: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def push_meeting(self, activity: MeetingActivity, *, existing_id: str = "") -> str:
        properties = {"hs_timestamp": f"{activity.held_on}T00:00:00Z", "hs_note_body": note_body(activity)}
        if existing_id:
            note = self._request("PATCH", f"/crm/v3/objects/notes/{existing_id}", {"properties": properties})
            return str(note["id"])
        body: dict[str, Any] = {"properties": properties}
        company_id = self._company_id(activity.customer_name) if activity.customer_name else None
        if company_id:
            body["associations"] = [
                {
                    "to": {"id": company_id},
                    "types": [
                        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_COMPANY}
                    ],
                }
            ]
        note = self._request("POST", "/crm/v3/objects/notes", body)
        return str(note["id"])

    def _company_id(self, name: str) -> str | None:
        found = self._request(
            "POST",
            "/crm/v3/objects/companies/search",
            {
                "filterGroups": [{"filters": [{"propertyName": "name", "operator": "EQ", "value": name}]}],
                "properties": ["name"],
                "limit": 1,
            },
        )
        results = found.get("results") or []
        return str(results[0]["id"]) if results else None

    def _request(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = httpx.request(
                method,
                self.base_url + path,
                json=body,
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as error:
            raise CrmError(f"HubSpot unreachable: {type(error).__name__}: {error}", retryable=True) from error
        if response.is_success:
            return response.json()
        # HubSpot's errors are JSON with a message; 429 and 5xx may pass, the rest will not.
        try:
            message = response.json().get("message", "")
        except ValueError:
            message = response.text[:300]
        retryable = response.status_code == 429 or response.status_code >= 500
        raise CrmError(f"HubSpot {method} {path}: HTTP {response.status_code} {message}", retryable=retryable)
