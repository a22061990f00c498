"""Reading a CRM's deal export (CSV): bytes in, typed rows out. Pure: no ORM, no translation.

Salesforce and HubSpot exports name the same things differently ("Opportunity Name" / "Deal
Name", "Account Name" / "Associated Company"), in English or Japanese, and Japanese Excel saves
CSV as Shift_JIS (cp932). We guess which column holds what; the user corrects the guess on the
preview. Problems come back as codes (see deals/import_wording.py for the sentences), so the
same parse serves the page, the tests and any future command.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

FIELDS = (
    "crm_id",
    "name",
    "customer",
    "stage",
    "amount",
    "opened_on",
    "closed_on",
    "owner",
    "is_won",
    "is_closed",
)
REQUIRED = ("crm_id", "name", "customer", "stage", "opened_on", "owner")

# Normalised header (see _key) → field. Salesforce, HubSpot, their Japanese UIs, and plain names.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "crm_id": (
        "opportunityid",
        "recordid",
        "dealid",
        "id",
        "crmid",
        "商談id",
        "レコードid",
        "取引id",
        "案件id",
    ),
    "name": ("opportunityname", "dealname", "name", "商談名", "取引名", "案件名"),
    "customer": (
        "accountname",
        "associatedcompany",
        "associatedcompanyprimary",
        "company",
        "companyname",
        "取引先名",
        "取引先",
        "関連付けられた会社",
        "関連付けられた会社プライマリー",
        "会社名",
        "顧客名",
    ),
    "stage": ("stage", "dealstage", "フェーズ", "取引ステージ", "ステージ", "段階"),
    "amount": ("amount", "dealamount", "金額", "取引金額"),
    "opened_on": ("createddate", "createdate", "作成日", "開始日"),
    "closed_on": ("closedate", "完了予定日", "クローズ日", "終了日", "成約日"),
    "owner": (
        "opportunityowner",
        "dealowner",
        "owner",
        "商談所有者",
        "所有者",
        "取引担当者",
        "担当者",
        "営業担当",
    ),
    "is_won": ("won", "iswon", "受注"),
    "is_closed": ("closed", "isclosed", "完了"),
}


class CrmFileError(Exception):
    """The file as a whole cannot be read; code is one of not_text, excel, empty, no_columns,
    too_big, too_many_rows."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (line number in the file, cells)
    encoding: str


@dataclass(frozen=True)
class ParsedRow:
    line: int
    crm_id: str
    name: str
    customer: str
    owner: str
    stage_label: str
    stage: str  # Deal.Stage value
    outcome: str  # "open" | "won" | "lost"
    amount: Decimal | None
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    problems: tuple[str, ...] = ()  # codes: the row is not imported
    notes: tuple[str, ...] = field(default=())  # codes: imported, but worth saying (stage_unknown)


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's
    "Unicode text"), else Shift_JIS as Windows writes it (cp932)."""
    if len(raw) > MAX_BYTES:
        raise CrmFileError("too_big", mb=MAX_BYTES // (1024 * 1024))
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise CrmFileError("excel")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    if b"\x00" in raw:
        raise CrmFileError("not_text")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(c) == "Cc" and c not in "\r\n\t" for c in text[:20000]):
            raise CrmFileError("not_text")
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise CrmFileError("not_text")


def _delimiter(first_line: str) -> str:
    return max((",", "\t", ";"), key=first_line.count)


def read_table(raw: bytes) -> Table:
    return table_from_text(*decode(raw))


def table_from_text(text: str, encoding: str) -> Table:
    if not text.strip():
        raise CrmFileError("empty")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    headers: tuple[str, ...] | None = None
    rows: list[tuple[int, tuple[str, ...]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if headers is None:
                headers = tuple(c.strip() for c in cells)
                continue
            if len(rows) >= MAX_ROWS:
                raise CrmFileError("too_many_rows", max=MAX_ROWS)
            padded = [*cells, *[""] * (len(headers) - len(cells))][: len(headers)]
            rows.append((reader.line_num, tuple(c.strip() for c in padded)))
    except csv.Error:
        raise CrmFileError("not_text") from None
    if headers is None or len(headers) < 2:
        raise CrmFileError("no_columns")
    if not rows:
        raise CrmFileError("empty")
    return Table(headers, tuple(rows), encoding)


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s_\-.()（）:：]", "", folded)


def guess_mapping(headers: tuple[str, ...]) -> dict[str, int | None]:
    """Field → column index (or None) from the headers; each column is used once at most."""
    keys = [_key(h) for h in headers]
    mapping: dict[str, int | None] = {}
    used: set[int] = set()
    for name in FIELDS:
        mapping[name] = None
        for alias in HEADER_ALIASES[name]:
            index = next((i for i, k in enumerate(keys) if k == alias and i not in used), None)
            if index is not None:
                mapping[name] = index
                used.add(index)
                break
    return mapping


def export_format(headers: tuple[str, ...]) -> str:
    keys = {_key(h) for h in headers}
    if keys & {"opportunityname", "商談名", "accountname"}:
        return "salesforce"
    if keys & {"dealname", "取引名", "dealstage", "取引ステージ"}:
        return "hubspot"
    return "other"


def missing_fields(mapping: dict[str, int | None]) -> list[str]:
    return [name for name in REQUIRED if mapping.get(name) is None]


# Stage labels: HubSpot's internal ids, Salesforce's defaults, and common Japanese names. Matched
# on the folded label; the first group that matches wins, so "Closed Won" is won, not closed.
_WON = ("closedwon", "won", "受注", "成約", "契約済", "契約締結")
_LOST = ("closedlost", "lost", "失注", "不成立", "見送り", "辞退", "破談")
_STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("negotiation", ("negotiation", "contractsent", "decisionmakerboughtin", "交渉", "契約", "稟議")),
    ("proposal", ("proposal", "pricequote", "valueproposition", "presentation", "提案", "見積")),
    (
        "discovery",
        (
            "qualif",
            "needsanalysis",
            "decisionmakers",
            "perception",
            "discovery",
            "ヒアリング",
            "要件",
            "課題",
        ),
    ),
    ("lead", ("prospect", "lead", "appointment", "見込", "リード", "アポ")),
)
_TRUE = {"1", "true", "yes", "y", "t", "はい", "○", "◯", "✓"}
_FALSE = {"0", "false", "no", "n", "f", "いいえ", "×"}


def _flag(text: str) -> bool | None:
    key = _key(text)
    return True if key in _TRUE else False if key in _FALSE else None


def stage_outcome(
    label: str, is_won: bool | None = None, is_closed: bool | None = None
) -> tuple[str, str, bool]:
    """(stage, outcome, recognised) for a CRM stage label and, where the export has them,
    Salesforce's Won/Closed flags (which decide the outcome when present)."""
    key = _key(label)
    if any(w in key for w in _WON):
        outcome = "won"
    elif any(w in key for w in _LOST):
        outcome = "lost"
    else:
        outcome = "open"
    stage = next((s for s, words in _STAGES if any(w in key for w in words)), None)
    recognised = outcome != "open" or stage is not None
    if is_closed is not None:
        outcome = ("won" if is_won else "lost") if is_closed else "open"
        recognised = True
    elif is_won:
        outcome = "won"
        recognised = True
    if outcome != "open":
        return "closed", outcome, recognised
    return stage or "discovery", "open", recognised


_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DMY_OR_MDY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")


def day_first(values: list[str]) -> bool:
    """For dd/mm/yyyy or mm/dd/yyyy columns: day first if any value's first part cannot be a month."""
    for value in values:
        m = _DMY_OR_MDY.match(unicodedata.normalize("NFKC", value).strip())
        if m and int(m.group(1)) > 12:
            return True
    return False


def parse_date(text: str, dayfirst: bool = False) -> datetime.date | None:
    """A date from 2026-10-01, 2026/10/1, 2026年10月1日 (time after it ignored), or 10/01/2026
    (US order unless dayfirst). Raises ValueError for text that is not one."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        return None
    m = _YMD.match(value)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DMY_OR_MDY.match(value)
        if not m:
            raise ValueError(text)
        a, b, y = (int(g) for g in m.groups())
        d, mo = (a, b) if dayfirst else (b, a)
    return datetime.date(y, mo, d)


def parse_amount(text: str) -> Decimal | None:
    value = unicodedata.normalize("NFKC", text).strip()
    value = re.sub(r"[,\s¥$€円]|JPY|USD|EUR", "", value, flags=re.IGNORECASE)
    if not value:
        return None
    try:
        amount = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(text) from None
    if amount < 0 or amount >= Decimal(10) ** 14:
        raise ValueError(text)
    return amount


def parse_rows(table: Table, mapping: dict[str, int | None]) -> list[ParsedRow]:
    """Every data row as a ParsedRow; a row with problems is kept (to be reported), not dropped."""

    def cell(cells: tuple[str, ...], name: str) -> str:
        index = mapping.get(name)
        return cells[index] if index is not None and 0 <= index < len(cells) else ""

    # One order for the file: an export writes all its dates the same way.
    dayfirst = day_first([cell(c, name) for _line, c in table.rows for name in ("opened_on", "closed_on")])
    seen: set[str] = set()
    out = []
    for line, cells in table.rows:
        problems: list[str] = []
        crm_id, name, customer = cell(cells, "crm_id"), cell(cells, "name"), cell(cells, "customer")
        for code, value, limit in (
            ("no_crm_id", crm_id, 64),
            ("no_name", name, 200),
            ("no_customer", customer, 200),
        ):
            if not value:
                problems.append(code)
            elif len(value) > limit:
                problems.append("too_long")
        if crm_id and crm_id in seen:
            problems.append("duplicate_crm_id")
        seen.add(crm_id)
        parsed_dates: dict[str, datetime.date | None] = {}
        for date_field in ("opened_on", "closed_on"):
            try:
                parsed_dates[date_field] = parse_date(cell(cells, date_field), dayfirst)
            except ValueError:
                parsed_dates[date_field] = None
                problems.append(f"bad_{date_field}")
        opened, closed = parsed_dates["opened_on"], parsed_dates["closed_on"]
        if opened is None and "bad_opened_on" not in problems:
            problems.append("no_opened_on")
        try:
            amount = parse_amount(cell(cells, "amount"))
        except ValueError:
            amount = None
            problems.append("bad_amount")
        label = cell(cells, "stage")
        stage, outcome, recognised = stage_outcome(
            label, _flag(cell(cells, "is_won")), _flag(cell(cells, "is_closed"))
        )
        if outcome == "open":
            closed = None  # an open deal's "close date" is the CRM's forecast, not a close
        elif closed is None and "bad_closed_on" not in problems:
            problems.append("closed_without_date")
        if opened and closed and closed < opened:
            problems.append("closes_before_opening")
        out.append(
            ParsedRow(
                line=line,
                crm_id=crm_id,
                name=name,
                customer=customer,
                owner=cell(cells, "owner"),
                stage_label=label,
                stage=stage,
                outcome=outcome,
                amount=amount,
                opened_on=opened,
                closed_on=closed,
                problems=tuple(problems),
                notes=() if recognised else ("stage_unknown",),
            )
        )
    return out
