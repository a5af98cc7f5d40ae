"""What the user does to the stored reports, written once for the app and the command line: create a
blank report, next year's from last year's, a copy, and store a report read from a file (replacing
the agency's report of that year only when asked). Each operation is one transaction: it is done
entirely or not at all."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from core import nextyear
from core.cleantext import SHORT_FIELD_CHARS, replace_unwanted
from core.edits import InvalidEdit
from core.report import Contact, Report
from core.storage import StorageError, Store


class ReportExists(StorageError):
    """The agency already has a (not deleted) report for the year: one agency has one report a year.
    `report_id` is the stored one, so the caller can offer to open it."""

    def __init__(self, agency: str, year: int, report_id: int) -> None:
        super().__init__(f"数据库中已有「{agency}」{year} 年度报告（编号 {report_id}）")
        self.agency = agency
        self.year = year
        self.report_id = report_id


@dataclass(frozen=True)
class StoredReport:
    """A report stored by `store_report`: its id, and the id of the one it replaced (moved to the
    recycle bin), or None."""

    id: int
    replaced_id: int | None = None


def checked_agency(agency: str) -> str:
    """An agency name as typed, without control characters; InvalidEdit when it is longer than any
    organ's name may be (core.cleantext)."""
    name = replace_unwanted(agency).strip()
    if len(name) > SHORT_FIELD_CHARS:
        raise InvalidEdit(f"机关名称过长（{len(name)} 个字，最多 {SHORT_FIELD_CHARS} 个字）")
    return name


def _refuse_existing(store: Store, agency: str, year: int) -> None:
    existing = store.find(agency, year)
    if existing is not None:
        raise ReportExists(agency, year, existing)


def create_report(
    store: Store,
    agency: str,
    year: int,
    template_id: str | None = None,
    *,
    contact: Contact | None = None,
    save_contact: bool = False,
) -> int:
    """A blank report for the agency and year (the year's template unless `template_id` names one);
    returns its id. The contact details are `contact`, else the agency profile's; with `save_contact`
    they also become the profile's. Raises ReportExists when the agency has a report for the year."""
    agency = checked_agency(agency)
    with store.transaction():
        _refuse_existing(store, agency, year)
        profile = store.agency_profile(agency)
        if contact is None:
            contact = profile.contact
        elif save_contact:
            store.save_agency_profile(
                dataclasses.replace(
                    profile,
                    address=contact.address,
                    postcode=contact.postcode,
                    phone=contact.phone,
                    email=contact.email,
                )
            )
        return store.add_report(nextyear.new_report(agency, year, contact, template_id))


def preview_next_year(store: Store, report_id: int) -> Report:
    """Next year's report as `create_next_year` would store it (carry-over, the agency profile's
    contact details), not stored: what a dialog shows before asking."""
    previous = store.load(report_id)
    return nextyear.next_year_report(previous, store.agency_profile(previous.agency).contact)


def create_next_year(store: Store, report_id: int) -> int:
    """Next year's report of the stored report's agency, with 上年结转 carried over and the agency
    profile's contact details; returns its id. Raises ReportExists when next year's report exists."""
    with store.transaction():
        previous = store.load(report_id)
        _refuse_existing(store, previous.agency, previous.year + 1)
        contact = store.agency_profile(previous.agency).contact
        return store.add_report(nextyear.next_year_report(previous, contact))


def duplicate_report(store: Store, report_id: int, agency: str, year: int) -> int:
    """A draft copy of the stored report's numbers and texts for another agency or year; returns its id.
    Raises ReportExists when that agency has a report for that year (the source's own included)."""
    with store.transaction():
        source = store.load(report_id)
        _refuse_existing(store, agency, year)
        return store.add_report(nextyear.duplicate_report(source, agency, year))


def store_report(store: Store, report: Report, *, replace: bool, replacing: int | None = None) -> StoredReport:
    """Store a report read from a file. When the agency has a report for the year it is replaced (moved
    to the recycle bin) only with `replace`, and with `replacing` only when it is that one, so nothing
    is replaced unseen; otherwise ReportExists. The new report is stored and the old one moved aside in
    one transaction: a failure in between leaves the agency with its old report. A report about to
    be replaced is backed up first (with the whole database)."""
    if replace and store.find(report.agency, report.year) is not None:
        store.backup_before("replace")
    with store.transaction():
        existing = store.find(report.agency, report.year)
        if existing is not None and (not replace or replacing not in (None, existing)):
            raise ReportExists(report.agency, report.year, existing)
        new_id = store.add_report(report)
        if existing is not None:
            store.delete(existing)
        return StoredReport(new_id, existing)
