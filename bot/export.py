"""The staff export: an XLSX workbook (owners and answers; one sheet per session with its
applicants ranked by readiness) and a CSV of the owners, in the staff member's language.

Pure: records in, bytes out. Times are shown in WIB without a zone (spreadsheets have none).
Text that a spreadsheet would run as a formula (=, +, -, @ …) is kept as plain text.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.i18n import N_, Translator
from bot.questionnaire import Questionnaire
from bot.questions import BUSINESS_NAME, KECAMATAN, NAME, PRODUCT_TYPE
from bot.storage import Database
from bot.storage.reports import Applicant, OwnerRecord, SessionRecord
from bot.views import format_answer

OWNER_COLUMNS = (N_("Owner id"), N_("Channel"), N_("Language"), N_("Source"),
                 N_("Started (WIB)"), N_("Consent (WIB)"), N_("Finished (WIB)"),
                 N_("Eligible"), N_("Readiness"), N_("Blocked the bot"))
APPLICANT_COLUMNS = (N_("Rank"), N_("Owner id"), N_("Name"), N_("Business name"),
                     N_("Product"), N_("Kecamatan"), N_("Phone"), N_("Readiness"),
                     N_("Eligible"), N_("Sign-up"), N_("Waiting position"), N_("Attendance"),
                     N_("Came"), N_("Signed up (WIB)"))
SIGNUP_NAMES = {"registered": N_("registered"), "waiting": N_("waiting list")}
ATTENDANCE_NAMES = {"confirmed": N_("confirmed"), "declined": N_("declined")}
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBERISH = re.compile(r"^[+-]?[\d\s().-]+$")  # phone numbers and plain numbers are safe

Value = str | int | float | datetime | None


def _local(tr: Translator, moment: datetime | None) -> datetime | None:
    return tr.local(moment).replace(tzinfo=None) if moment is not None else None


def _yes_no(tr: Translator, value: bool | None) -> str:
    if value is None:
        return ""
    return tr.gettext("Yes") if value else tr.gettext("No")


def answer_text(tr: Translator, questionnaire: Questionnaire, question_id: str,
                answers: dict[str, Any]) -> str:
    """One answer as plain text in `tr`'s language ("" when not answered)."""
    if question_id not in answers:
        return ""
    question = next(q for q in questionnaire.questions if q.id == question_id)
    return html.unescape(format_answer(tr, question, answers[question_id]))


def owner_rows(tr: Translator, questionnaire: Questionnaire,
               owners: Iterable[OwnerRecord]) -> tuple[list[str], list[list[Value]]]:
    """The owners sheet (and CSV): a header and one row per owner."""
    questions = questionnaire.questions
    header = [tr.gettext(c) for c in OWNER_COLUMNS] + [tr.gettext(q.short) for q in questions]
    rows: list[list[Value]] = []
    for owner in owners:
        rows.append([
            owner.id, owner.channel, owner.language or "", owner.source or "",
            _local(tr, owner.started_at), _local(tr, owner.consent_at),
            _local(tr, owner.finished_at), _yes_no(tr, owner.eligible), owner.readiness,
            _yes_no(tr, owner.blocked),
            *[answer_text(tr, questionnaire, q.id, owner.answers) for q in questions],
        ])
    return header, rows


def ranked(applicants: Iterable[Applicant],
           owners: dict[int, OwnerRecord]) -> list[Applicant]:
    """Applicants by readiness, highest first; ties by who signed up first."""
    def key(applicant: Applicant) -> tuple[int, datetime, int]:
        """Highest readiness first (none last), then the earliest sign-up."""
        owner = owners.get(applicant.owner_id)
        readiness = owner.readiness if owner is not None and owner.readiness is not None else -1
        return (-readiness, applicant.registered_at, applicant.owner_id)

    return sorted(applicants, key=key)


def applicant_rows(tr: Translator, questionnaire: Questionnaire, applicants: Sequence[Applicant],
                   owners: dict[int, OwnerRecord]) -> tuple[list[str], list[list[Value]]]:
    """A session sheet's table: a header and one row per applicant, ranked."""
    header = [tr.gettext(c) for c in APPLICANT_COLUMNS]
    rows: list[list[Value]] = []
    for rank, applicant in enumerate(ranked(applicants, owners), start=1):
        owner = owners.get(applicant.owner_id)
        answers = owner.answers if owner is not None else {}

        def answer(question_id: str, answers: dict[str, Any] = answers) -> str:
            """This applicant's answer to one question, as text."""
            return answer_text(tr, questionnaire, question_id, answers)

        rows.append([
            rank, applicant.owner_id, answer(NAME), answer(BUSINESS_NAME),
            answer(PRODUCT_TYPE), answer(KECAMATAN), answer("phone"),
            owner.readiness if owner is not None else None,
            _yes_no(tr, owner.eligible if owner is not None else None),
            tr.gettext(SIGNUP_NAMES.get(applicant.status, applicant.status)),
            applicant.position if applicant.status == "waiting" else None,
            tr.gettext(ATTENDANCE_NAMES[applicant.attendance])
            if applicant.attendance in ATTENDANCE_NAMES else "",
            _yes_no(tr, applicant.present),
            _local(tr, applicant.registered_at),
        ])
    return header, rows


def sheet_title(session: SessionRecord, taken: set[str]) -> str:
    """A valid, unique worksheet name for a session (at most 31 characters)."""
    base = _SHEET_UNSAFE.sub(" ", f"{session.id} {session.title}").strip()[:31] or str(session.id)
    title, n = base, 2
    while title.lower() in taken:
        title = f"{base[:27]} ({n})"
        n += 1
    taken.add(title.lower())
    return title


def _cell(sheet: WriteOnlyWorksheet, value: Value, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a name like "=SUM(…)" stays text, never a formula
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _table(sheet: WriteOnlyWorksheet, header: list[str], rows: list[list[Value]]) -> None:
    sheet.append([_cell(sheet, h, bold=True) for h in header])
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])


def workbook(tr: Translator, questionnaire: Questionnaire, owners: Sequence[OwnerRecord],
             sessions: Sequence[SessionRecord], applicants: Sequence[Applicant]) -> bytes:
    """The XLSX export as bytes."""
    _ = tr.gettext
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Owners"))
    sheet.freeze_panes = "B2"
    _table(sheet, *owner_rows(tr, questionnaire, owners))
    by_id = {owner.id: owner for owner in owners}
    taken = {_("Owners").lower()}
    for session in sessions:
        sheet = book.create_sheet(sheet_title(session, taken))
        sheet.append([_cell(sheet, session.title, bold=True)])
        sheet.append([_cell(sheet, _("Starts (WIB)")), _cell(sheet, _local(tr, session.starts_at))])
        sheet.append([_cell(sheet, _("Place")), _cell(sheet, session.place)])
        sheet.append([_cell(sheet, _("Capacity")), _cell(sheet, session.capacity)])
        sheet.append([])
        mine = [a for a in applicants if a.session_id == session.id]
        _table(sheet, *applicant_rows(tr, questionnaire, mine, by_id))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_safe(value: Value) -> str:
    """A value for a CSV cell; text a spreadsheet would run as a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBERISH.match(text):
        return "'" + text
    return text


def owners_csv(tr: Translator, questionnaire: Questionnaire,
               owners: Sequence[OwnerRecord]) -> bytes:
    """The owners and their answers as CSV (UTF-8 with a BOM, so spreadsheets read it right)."""
    header, rows = owner_rows(tr, questionnaire, owners)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_safe(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Export:
    """The files of /ekspor: the workbook and the CSV, with what they hold."""

    owners: int
    sessions: int
    stamp: str  # the moment in the file names, in WIB
    workbook: bytes
    csv: bytes


async def export_files(db: Database, tr: Translator, questionnaire: Questionnaire,
                       now: datetime) -> Export:
    """Build the export (XLSX and CSV) in `tr`'s language, as the chat and the web page send it."""
    owners = await db.reports.owners()
    sessions = await db.reports.sessions()
    applicants = await db.reports.applicants()
    return Export(
        owners=len(owners), sessions=len(sessions),
        stamp=tr.local(now).strftime("%Y-%m-%d-%H%M"),
        workbook=workbook(tr, questionnaire, owners, sessions, applicants),
        csv=owners_csv(tr, questionnaire, owners))
