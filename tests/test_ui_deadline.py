"""The reports list tells the clerk when the report is due: a 公开期限 column, a banner for the selected
report, and a highlight from ten days before the due date until the report is finalised."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from core.deadline import KIND_GOVERNMENT
from core.nextyear import new_report
from core.report import STATUS_FINAL
from core.storage import AgencyProfile, Store
from ui.dialogs import AgencyProfileDialog
from ui.reports_list import DUE, OVERDUE_BACKGROUND, REMINDER_BACKGROUND, ReportsListWidget

BUREAU = "某某区司法局"
GOVERNMENT = "某某区人民政府"


def _list(qtbot: QtBot, store: Store, today: date) -> ReportsListWidget:
    widget = ReportsListWidget(store)
    widget.today = lambda: today
    widget.refresh()
    qtbot.addWidget(widget)
    widget.resize(1100, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _row(widget: ReportsListWidget, report_id: int) -> int:
    row = widget.model.row_of(report_id)
    assert row is not None
    return widget.proxy.mapFromSource(widget.model.index(row, 0)).row()


def _due_cell(widget: ReportsListWidget, report_id: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return widget.proxy.index(_row(widget, report_id), DUE).data(role)


@pytest.mark.parametrize("store_seed", [False])
def test_countdown_banner_and_highlight_from_ten_days_before(qtbot: QtBot, store: Store) -> None:
    bureau = store.add_report(new_report(BUREAU, 2025))
    government = store.add_report(new_report(GOVERNMENT, 2025))

    widget = _list(qtbot, store, date(2026, 1, 10))
    assert _due_cell(widget, bureau) == "2026-01-31（还有 21 天）"
    assert _due_cell(widget, government) == "2026-03-31（还有 80 天）"
    assert _due_cell(widget, bureau, Qt.ItemDataRole.BackgroundRole) is None  # 21 days: no alarm yet
    widget.select_report(bureau)
    banner = widget.deadline_banner
    assert banner.isVisible() and not banner.property("urgent")
    assert banner.text() == f"「{BUREAU}」2025 年度报告：2026年1月31日前公开（还有 21 天），尚未定稿。"
    assert "1月31日前公布" in banner.toolTip()

    widget.today = lambda: date(2026, 1, 21)
    widget.refresh()
    assert _due_cell(widget, bureau) == "2026-01-31（还有 10 天）"
    assert _due_cell(widget, bureau, Qt.ItemDataRole.BackgroundRole) == REMINDER_BACKGROUND
    assert _due_cell(widget, government, Qt.ItemDataRole.BackgroundRole) is None  # due in March
    assert widget.selected_id() == bureau and banner.property("urgent")
    widget.select_report(government)
    assert not banner.property("urgent") and "2026年3月31日前公开（还有 69 天）" in banner.text()

    widget.today = lambda: date(2026, 2, 3)
    widget.refresh()
    assert _due_cell(widget, bureau) == "2026-01-31（逾期 3 天）"
    assert _due_cell(widget, bureau, Qt.ItemDataRole.BackgroundRole) == OVERDUE_BACKGROUND
    widget.select_report(bureau)
    assert banner.text().endswith("2026年1月31日前公开（已逾期 3 天），尚未定稿。")

    # Finalised: no highlight, no countdown; the banner says it is done.
    store.set_status(bureau, STATUS_FINAL)
    widget.refresh()
    assert _due_cell(widget, bureau) == "2026-01-31"
    assert _due_cell(widget, bureau, Qt.ItemDataRole.BackgroundRole) is None
    assert banner.text() == f"「{BUREAU}」2025 年度报告已定稿（期限：2026年1月31日前公开）。"
    assert not banner.property("urgent")


@pytest.mark.parametrize("store_seed", [False])
def test_kind_from_the_profile_moves_the_due_date(qtbot: QtBot, store: Store) -> None:
    """An office whose name does not say it (a 管委会 reporting as the government) sets its kind once."""
    agency = "某某经济开发区管理委员会"
    report_id = store.add_report(new_report(agency, 2025))
    widget = _list(qtbot, store, date(2026, 1, 25))
    assert _due_cell(widget, report_id) == "2026-01-31（还有 6 天）"

    dialog = AgencyProfileDialog(store, agency)
    qtbot.addWidget(dialog)
    combo = dialog.findChild(QComboBox, "kind")
    assert combo is not None
    assert combo.currentData() == ""  # as the name suggests, until set
    combo.setCurrentIndex(combo.findData(KIND_GOVERNMENT))
    dialog.accept()
    assert store.agency_profile(agency).kind == KIND_GOVERNMENT
    widget.refresh()
    assert _due_cell(widget, report_id) == "2026-03-31（还有 65 天）"
    assert _due_cell(widget, report_id, Qt.ItemDataRole.BackgroundRole) is None
    assert "按机关信息中的设置" in str(_due_cell(widget, report_id, Qt.ItemDataRole.ToolTipRole))


@pytest.mark.parametrize("store_seed", [False])
def test_old_drafts_are_not_reminders_and_sort_by_due_date(qtbot: QtBot, store: Store) -> None:
    old = store.add_report(new_report(BUREAU, 2023))
    store.save_agency_profile(AgencyProfile(GOVERNMENT))
    current = store.add_report(new_report(GOVERNMENT, 2025))
    widget = _list(qtbot, store, date(2026, 1, 25))
    assert _due_cell(widget, old) == "2024-01-31"  # two rounds ago: kept for reference
    assert _due_cell(widget, old, Qt.ItemDataRole.BackgroundRole) is None
    widget.select_report(old)
    assert widget.deadline_banner.isHidden()
    widget.table.sortByColumn(DUE, Qt.SortOrder.DescendingOrder)
    assert [widget.proxy.index(r, DUE).data()[:10] for r in range(2)] == ["2026-03-31", "2024-01-31"]
    assert widget.proxy.index(0, 0).data() == GOVERNMENT and _row(widget, current) == 0
