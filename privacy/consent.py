"""Consent to record: one check shared by the upload form and the API.

A team whose policy says "consent required" accepts an upload only with a notice of who was
told that the meeting is recorded, when and how; nothing is stored without it.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CONSENT_REFUSED = _(
    "Your team keeps recordings only with the customer's consent: tick the box and say who was told "
    "that the meeting is recorded."
)
CONSENT_WHOM_MISSING = _("Say who was told that the meeting is recorded.")


@dataclass(frozen=True)
class ConsentNotice:
    told_whom: str
    told_on: datetime.date | None  # None: the meeting's date
    method: str


def consent_check(
    *, required: bool, given: bool, told_whom: str, told_on: datetime.date | None, method: str
) -> ConsentNotice | None:
    """The notice to store with the upload, None when none was given and none is needed.
    Raises ValidationError (a sentence in the reader's language) otherwise."""
    told_whom = (told_whom or "").strip()
    if not given and not told_whom:
        if required:
            raise ValidationError(CONSENT_REFUSED, code="consent_required")
        return None
    if not given:
        raise ValidationError(CONSENT_REFUSED, code="consent_required")
    if not told_whom:
        raise ValidationError(CONSENT_WHOM_MISSING, code="consent_whom")
    return ConsentNotice(told_whom=told_whom[:200], told_on=told_on, method=method)
