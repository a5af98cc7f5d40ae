"""The operations on stored reports (core/operations.py): each refuses a second report of an agency
and year with the stored one's id, and each is one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core import operations
from core.edits import InvalidEdit
from core.nextyear import new_report
from core.operations import ReportExists, StoredReport
from core.report import Contact
from core.reportfile import read_report_file
from core.storage import AgencyProfile, StorageError, Store
from tests.conftest import SAMPLES_DIR, full_report

PINGTAN = "平潭综合实验区"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "reports.sqlite3", seed=False)
    yield s
    s.close()


def ids(store: Store, *, deleted: bool = False) -> list[int]:
    return sorted(s.id for s in store.list_reports(deleted=deleted))


def revision_count(store: Store) -> int:
    return int(store.db.execute("SELECT COUNT(*) FROM revisions").fetchone()[0])


# --- the transaction ---------------------------------------------------------------------------


def test_a_transaction_commits_or_rolls_back_every_write_inside(store: Store) -> None:
    with store.transaction():
        first = store.add_report(new_report("甲单位", 2022))
        second = store.add_report(new_report("乙单位", 2022))
    assert ids(store) == [first, second]

    def half_done() -> None:
        with store.transaction():
            store.add_report(new_report("丙单位", 2022))
            store.delete(first)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        half_done()
    assert ids(store) == [first, second] and store.find("丙单位", 2022) is None
    assert ids(store, deleted=True) == []


# --- a blank report ----------------------------------------------------------------------------


def test_create_report_takes_the_profile_contact_and_the_year_template(store: Store) -> None:
    store.save_agency_profile(AgencyProfile(PINGTAN, phone="0591-12345678"))
    report_id = operations.create_report(store, PINGTAN, 2020)
    report = store.load(report_id)
    assert (report.agency, report.year, report.template_id) == (PINGTAN, 2020, "2019")
    assert report.contact.phone == "0591-12345678"
    other = store.load(operations.create_report(store, PINGTAN, 2024, "2019"))
    assert other.template_id == "2019"


def test_create_report_with_a_contact_saves_it_to_the_profile_when_asked(store: Store) -> None:
    contact = Contact("某路1号", "350400", "0591-1", "a@b.gov.cn")
    operations.create_report(store, "甲单位", 2022, contact=contact)
    assert store.agency_profile("甲单位").phone == ""
    report_id = operations.create_report(store, "乙单位", 2022, contact=contact, save_contact=True)
    assert store.agency_profile("乙单位").contact == contact == store.load(report_id).contact


def test_create_report_refuses_an_existing_agency_and_year_with_its_id(store: Store) -> None:
    existing = operations.create_report(store, PINGTAN, 2022)
    with pytest.raises(ReportExists) as refused:
        operations.create_report(store, PINGTAN, 2022, contact=Contact(phone="1"), save_contact=True)
    assert (refused.value.agency, refused.value.year, refused.value.report_id) == (PINGTAN, 2022, existing)
    assert isinstance(refused.value, StorageError)
    assert str(refused.value) == f"数据库中已有「{PINGTAN}」2022 年度报告（编号 {existing}）"
    assert store.agency_profile(PINGTAN).phone == ""  # nothing of the refused operation was kept
    assert ids(store) == [existing]


# --- next year's report ------------------------------------------------------------------------


def test_create_report_takes_the_agency_without_control_characters_and_refuses_an_endless_one(store: Store) -> None:
    report_id = operations.create_report(store, "某某区\x00人民政府\x1b", 2025)
    assert store.load(report_id).agency == "某某区人民政府"
    with pytest.raises(InvalidEdit, match="机关名称过长"):
        operations.create_report(store, "机" * 201, 2025)


def test_create_next_year_carries_over_and_uses_the_profile(store: Store) -> None:
    last = read_report_file(SAMPLES_DIR / "real" / "2022_pingtan.json")
    last.set_cell("s3.carried_forward.natural", 4)
    last_id = store.add_report(last)
    store.save_agency_profile(AgencyProfile(PINGTAN, email="gk@pingtan.gov.cn"))
    preview = operations.preview_next_year(store, last_id)
    assert ids(store) == [last_id]  # the preview stores nothing
    new_id = operations.create_next_year(store, last_id)
    report = store.load(new_id)
    # What the dialog showed is what was stored.
    assert (preview.inputs, preview.contact, preview.texts) == (report.inputs, report.contact, report.texts)
    assert (report.agency, report.year) == (PINGTAN, 2023)
    assert report.number("s3.carried_over.natural") == 4
    assert report.contact.email == "gk@pingtan.gov.cn"
    with pytest.raises(ReportExists) as refused:
        operations.create_next_year(store, last_id)
    assert refused.value.report_id == new_id and refused.value.year == 2023
    assert ids(store) == [last_id, new_id]


def test_create_next_year_of_a_missing_report_says_so(store: Store) -> None:
    with pytest.raises(StorageError, match="找不到编号为 99 的报告"):
        operations.create_next_year(store, 99)


# --- a copy ------------------------------------------------------------------------------------


def test_duplicate_report_copies_to_another_year_and_refuses_an_existing_one(store: Store) -> None:
    source_id = store.add_report(full_report("2021", 2022))
    with pytest.raises(ReportExists) as refused:
        operations.duplicate_report(store, source_id, store.load(source_id).agency, 2022)
    assert refused.value.report_id == source_id
    copy_id = operations.duplicate_report(store, source_id, "另一单位", 2022)
    source, copied = store.load(source_id), store.load(copy_id)
    assert copied.inputs == source.inputs and (copied.agency, copied.year) == ("另一单位", 2022)
    assert store.status(copy_id) == "draft"


# --- storing a report read from a file ---------------------------------------------------------


def test_store_report_adds_and_refuses_a_second_one_without_replace(store: Store) -> None:
    report = read_report_file(SAMPLES_DIR / "real" / "2022_pingtan.json")
    stored = operations.store_report(store, report, replace=False)
    assert stored == StoredReport(stored.id, None) and store.find(PINGTAN, 2022) == stored.id
    with pytest.raises(ReportExists) as refused:
        operations.store_report(store, report, replace=False)
    assert refused.value.report_id == stored.id and ids(store) == [stored.id]


def test_store_report_with_replace_moves_the_old_one_to_the_recycle_bin(store: Store) -> None:
    report = read_report_file(SAMPLES_DIR / "real" / "2022_pingtan.json")
    old = operations.store_report(store, report, replace=False).id
    store.set_text(old, "s6", "本机关补充的内容")
    stored = operations.store_report(store, report, replace=True)
    assert stored.replaced_id == old and store.find(PINGTAN, 2022) == stored.id != old
    assert ids(store, deleted=True) == [old]
    assert store.load(old).text("s6") == "本机关补充的内容"


def test_store_report_replaces_only_the_report_that_was_shown(store: Store) -> None:
    report = read_report_file(SAMPLES_DIR / "real" / "2022_pingtan.json")
    shown = operations.store_report(store, report, replace=False).id
    store.delete(shown)
    other = operations.store_report(store, report, replace=False).id  # came in since it was shown
    with pytest.raises(ReportExists) as refused:
        operations.store_report(store, report, replace=True, replacing=shown)
    assert refused.value.report_id == other and ids(store) == [other]
    # The one shown is gone and nothing else is there: nothing is replaced, the report is stored.
    store.delete(other)
    stored = operations.store_report(store, report, replace=True, replacing=shown)
    assert stored.replaced_id is None and ids(store) == [stored.id]


@pytest.mark.parametrize("failing", ["add_report", "delete", "_record"])
def test_a_failure_in_the_middle_of_a_replace_leaves_the_old_report(
    store: Store, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    report = read_report_file(SAMPLES_DIR / "real" / "2022_pingtan.json")
    old = operations.store_report(store, report, replace=False).id
    revisions = revision_count(store)
    real = getattr(Store, failing)
    calls: list[str] = []

    def fail_on_the_delete(self: Store, *args: object, **kwargs: object) -> object:
        # add_report and delete each write a revision (_record): fail on the second step's.
        calls.append(failing)
        if failing != "_record" or len(calls) == 2:
            raise StorageError("磁盘空间已满，刚才的修改没有保存。请清理磁盘后重试。")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, failing, fail_on_the_delete)
    with pytest.raises(StorageError, match="磁盘空间已满"):
        operations.store_report(store, report, replace=True)
    monkeypatch.undo()
    assert store.find(PINGTAN, 2022) == old
    assert ids(store) == [old] and ids(store, deleted=True) == []
    assert revision_count(store) == revisions  # the half-stored report left no trace
    assert int(store.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]) == 1
