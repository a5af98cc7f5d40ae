"""Due dates (条例第四十九条) and the agency kind kept in its profile."""

from __future__ import annotations

from datetime import date

import pytest

from core.deadline import (
    KIND_DEPARTMENT,
    KIND_GOVERNMENT,
    days_left,
    due_date,
    due_text,
    guess_kind,
    needs_reminder,
)
from core.storage import AgencyProfile, StorageError, Store


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("某某区人民政府", KIND_GOVERNMENT),
        ("某某区人民政府办公室", KIND_DEPARTMENT),
        ("某某区教育局", KIND_DEPARTMENT),
        ("某某街道办事处", KIND_DEPARTMENT),
        (" 某某镇人民政府 ", KIND_GOVERNMENT),
    ],
)
def test_kind_guessed_from_name(name: str, kind: str) -> None:
    assert guess_kind(name) == kind


def test_due_dates_and_days_left() -> None:
    assert due_date(KIND_DEPARTMENT, 2025) == date(2026, 1, 31)
    assert due_date(KIND_GOVERNMENT, 2025) == date(2026, 3, 31)
    due = date(2026, 1, 31)
    assert days_left(due, date(2026, 1, 19)) == 12
    assert due_text(due, date(2026, 1, 19)) == "2026年1月31日前公开（还有 12 天）"
    assert due_text(due, date(2026, 1, 31)) == "2026年1月31日前公开（今天截止）"
    assert due_text(due, date(2026, 2, 3)) == "2026年1月31日前公开（已逾期 3 天）"


def test_reminder_from_ten_days_before_for_unfinished_only() -> None:
    due = date(2026, 1, 31)
    assert not needs_reminder(due, False, date(2026, 1, 20))
    assert needs_reminder(due, False, date(2026, 1, 21))
    assert needs_reminder(due, False, date(2026, 2, 10))
    assert needs_reminder(due, False, date(2027, 1, 30))
    assert not needs_reminder(due, False, date(2027, 1, 31))  # a year on: an old draft, not a reminder
    assert not needs_reminder(due, True, date(2026, 1, 25))


def test_kind_kept_in_profile(tmp_path) -> None:
    store = Store(tmp_path / "db.sqlite3", seed=False, backups=False)
    assert store.agency_profile("某某区人民政府").report_kind == KIND_GOVERNMENT
    store.save_agency_profile(AgencyProfile("某某区人民政府", kind=KIND_DEPARTMENT))
    assert store.agency_profile("某某区人民政府").kind == KIND_DEPARTMENT
    assert store.agency_profile("某某区人民政府").report_kind == KIND_DEPARTMENT
    with pytest.raises(StorageError, match="机关类别"):
        store.save_agency_profile(AgencyProfile("某某区人民政府", kind="county"))
    store.close()
