"""Matching an import to what Aizuchi already holds: reps, deals (by CRM id) and meetings. Pure.

A meeting joins an imported deal when it was held by the deal's rep, for the same customer (names
compared after folding 株式会社, (株), Inc. and the like, spaces and full-width letters), on a day
inside the deal's open–close window (open-ended while the deal is open). A meeting two deals
could claim is left alone and reported; so is one already in a deal this file does not touch.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from deals.crm_import import ParsedRow

# Legal-form words that CRMs and meeting titles add or drop at will. Folded text (NFKC, casefold).
_COMPANY_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|\(株\)|\(有\)|\(同\)"
    r"|\b(?:inc|incorporated|corp|corporation|co|ltd|limited|llc|plc|gmbh|k\.?k|kabushiki kaisha)\b\.?"
)
_PUNCTUATION = re.compile(r"[\s,.・･、。'\"`´’&＆/\\\-–—()\[\]]")


def normalise_company(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    return _PUNCTUATION.sub("", _COMPANY_FORMS.sub(" ", folded))


def _person_key(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class Rep:
    id: int
    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class ExistingDeal:
    id: int
    crm_id: str
    owner_id: int


@dataclass(frozen=True)
class MeetingRef:
    id: int
    owner_id: int
    customer_name: str
    held_on: datetime.date
    title: str = ""
    deal_id: int | None = None  # the deal it is in now


@dataclass
class PlannedDeal:
    row: ParsedRow
    owner_id: int
    existing_id: int | None  # None: created
    meetings: list[MeetingRef] = field(default_factory=list)  # to link (new links or moves)
    already_linked: int = 0  # meetings already in this deal that still match
    owner_kept: bool = False  # the file names another rep than the deal's: the deal keeps its owner


@dataclass(frozen=True)
class Ambiguous:
    meeting: MeetingRef
    deal_lines: tuple[int, ...]


@dataclass
class Plan:
    deals: list[PlannedDeal]
    rejected: list[ParsedRow]  # rows with problems, owner problems included
    ambiguous: list[Ambiguous]
    kept_elsewhere: list[MeetingRef]  # would match, but already in a deal this file does not touch
    unknown_stages: Counter[str]

    @property
    def created(self) -> list[PlannedDeal]:
        return [d for d in self.deals if d.existing_id is None]

    @property
    def updated(self) -> list[PlannedDeal]:
        return [d for d in self.deals if d.existing_id is not None]

    @property
    def without_meeting(self) -> list[PlannedDeal]:
        return [d for d in self.deals if not d.meetings and not d.already_linked]

    @property
    def link_count(self) -> int:
        return sum(len(d.meetings) for d in self.deals)


def match_owner(text: str, reps: list[Rep]) -> tuple[int | None, str | None]:
    """(rep id, None) or (None, problem code): by username, e-mail or name (either order)."""
    key = _person_key(text)
    if not key:
        return None, "no_owner"
    found = {
        r.id
        for r in reps
        if key
        in {
            _person_key(r.username),
            _person_key(r.email),
            _person_key(f"{r.first_name}{r.last_name}") if r.first_name or r.last_name else "",
            _person_key(f"{r.last_name}{r.first_name}") if r.first_name or r.last_name else "",
        }
        - {""}
    }
    if len(found) == 1:
        return found.pop(), None
    return None, "owner_ambiguous" if found else "owner_unknown"


def _with_problem(row: ParsedRow, code: str) -> ParsedRow:
    from dataclasses import replace

    return replace(row, problems=(*row.problems, code))


def plan_import(
    rows: list[ParsedRow], reps: list[Rep], existing: list[ExistingDeal], meetings: list[MeetingRef]
) -> Plan:
    """What confirming would do: which deals are created or updated, which meetings they get."""
    by_crm_id = {d.crm_id: d for d in existing}
    planned: list[PlannedDeal] = []
    rejected: list[ParsedRow] = []
    for row in rows:
        owner_id, problem = match_owner(row.owner, reps)
        if problem:
            row = _with_problem(row, problem)
        if row.problems or owner_id is None:
            rejected.append(row)
            continue
        old = by_crm_id.get(row.crm_id)
        kept = old is not None and old.owner_id != owner_id
        planned.append(
            PlannedDeal(row, old.owner_id if old else owner_id, old.id if old else None, owner_kept=kept)
        )
    touched = {d.existing_id for d in planned if d.existing_id is not None}
    candidates: dict[tuple[int, str], list[PlannedDeal]] = {}
    for deal in planned:
        candidates.setdefault((deal.owner_id, normalise_company(deal.row.customer)), []).append(deal)
    ambiguous: list[Ambiguous] = []
    kept_elsewhere: list[MeetingRef] = []
    for meeting in sorted(meetings, key=lambda m: (m.held_on, m.id)):
        customer = normalise_company(meeting.customer_name)
        if not customer:
            continue
        fits = [
            d
            for d in candidates.get((meeting.owner_id, customer), [])
            if d.row.opened_on is not None
            and d.row.opened_on <= meeting.held_on <= (d.row.closed_on or datetime.date.max)
        ]
        if len(fits) > 1:
            ambiguous.append(Ambiguous(meeting, tuple(d.row.line for d in fits)))
        elif fits:
            deal = fits[0]
            if deal.existing_id is not None and meeting.deal_id == deal.existing_id:
                deal.already_linked += 1
            elif meeting.deal_id is not None and meeting.deal_id not in touched:
                kept_elsewhere.append(meeting)
            else:
                deal.meetings.append(meeting)
    unknown = Counter(d.row.stage_label for d in planned if "stage_unknown" in d.row.notes)
    return Plan(planned, rejected, ambiguous, kept_elsewhere, unknown)
