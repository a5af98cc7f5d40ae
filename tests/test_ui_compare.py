"""同比 dialog: the trend chart (QPainter), the key figures with their changes and flags, every changed cell
on request, and the checks against last year."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot

from core.compare import KEY_FIGURES, SUITS, figure, format_value
from core.report import Report
from tests.conftest import full_report, previous_report
from ui.compare_view import FLAG_BACKGROUND, SERIES_COLOURS, TABLE_HEADERS, CompareDialog, TrendChart

COPIED = "我单位将持续加强政府信息公开标准化规范化建设，完善公开目录，规范依申请公开办理流程。" * 3


def unit_reports() -> tuple[Report, Report, Report]:
    """2021, 2022 and 2024 of one unit (no 2023 report): 2024's applications doubled, its 五 copied."""
    r2024 = full_report("2021", 2024, agency="某某县教育局")
    r2022 = previous_report(full_report("2021", 2023, agency="某某县教育局"))
    r2021 = previous_report(r2022)
    r2024.set_cell("s3.new.natural", r2024.number("s3.new.natural") + 80)
    r2024.set_cell("s3.granted.natural", r2024.number("s3.granted.natural") + 80)
    r2022.texts["s5"] = r2024.texts["s5"] = COPIED
    return r2021, r2022, r2024


def open_dialog(qtbot: QtBot, reports: list[Report]) -> CompareDialog:
    dialog = CompareDialog(reports)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None
    return item


def table_texts(dialog: CompareDialog) -> list[list[str]]:
    table = dialog.table
    return [[cell(table, r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_key_figures_table_with_changes_flags_and_the_report_compared_with(qtbot: QtBot) -> None:
    r2021, r2022, r2024 = unit_reports()
    dialog = open_dialog(qtbot, [r2024, r2021, r2022])  # any order
    assert dialog.this is r2024 and dialog.last is r2022
    assert "没有 2023 年度的报告" in dialog.note.text() and "2022 年度报告比较" in dialog.note.text()
    table = dialog.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
    assert headers == [TABLE_HEADERS[0], "2022 年", "2024 年", "增减", "增减%"]
    rows = table_texts(dialog)
    assert [row[0] for row in rows] == [label for _, label in KEY_FIGURES]
    for (figure_id, _), row in zip(KEY_FIGURES, rows, strict=True):
        assert row[1] == format_value(figure(r2022, figure_id))
        assert row[2] == format_value(figure(r2024, figure_id))
    new = rows[0]
    difference = figure(r2024, "s3.new.total") - figure(r2022, "s3.new.total")
    assert new[3] == f"+{difference}" and new[4].endswith("⚠")
    flagged = {dialog.key[r].cell for r in range(table.rowCount()) if cell(table, r, 4).text().endswith("⚠")}
    assert flagged == {"s3.new.total", "s3.granted.total", "s3.total_processed.total"}
    for r in range(table.rowCount()):
        expected = FLAG_BACKGROUND if dialog.key[r].flagged else None
        for c in range(table.columnCount()):
            background = cell(table, r, c).data(Qt.ItemDataRole.BackgroundRole)
            assert (background.color() if background is not None else None) == expected, (r, c)
    # every changed cell on request, and back
    box = dialog.show_all
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # type: ignore[no-untyped-call]
    assert dialog.show_all.isChecked()
    all_rows = table_texts(dialog)
    assert len(all_rows) > len(KEY_FIGURES)
    labels = [row[0] for row in all_rows[len(KEY_FIGURES):]]
    assert "三「本年新收」自然人" in labels and "三「予以公开」自然人" in labels
    assert all(row[1] != row[2] for row in all_rows[len(KEY_FIGURES):])
    dialog.show_all.setChecked(False)
    assert table.rowCount() == len(KEY_FIGURES)


def test_findings_of_the_comparison_are_listed(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot, list(unit_reports()))
    texts = [dialog.findings.item(i).text() for i in range(dialog.findings.count())]
    assert any("五、存在的主要问题及改进情况" in t and "2022 年度报告的同一部分" in t for t in texts)
    rules = {dialog.findings.item(i).data(Qt.ItemDataRole.UserRole).rule for i in range(dialog.findings.count())}
    assert rules <= {"CARRY-OVER", "S2-IN-FORCE", "TEXT-COPIED"} and "TEXT-COPIED" in rules


def test_the_chart_has_a_point_per_year_and_a_gap_for_a_missing_year(qtbot: QtBot) -> None:
    r2021, r2022, r2024 = unit_reports()
    dialog = open_dialog(qtbot, [r2022, r2024, r2021])
    series = dialog.chart.series()
    assert [(figure_id, label) for figure_id, label, _ in series] == list(KEY_FIGURES)
    for figure_id, _, points in series:
        assert [year for year, _ in points] == [2021, 2022, 2023, 2024]
        values = dict(points)
        assert values[2023] is None  # a gap, not a zero
        for report in (r2021, r2022, r2024):
            assert values[report.year] == float(figure(report, figure_id))
    suits = next(points for figure_id, _, points in series if figure_id == SUITS)
    assert dict(suits)[2024] == float(figure(r2024, SUITS))


def test_the_chart_draws_something_readable(qtbot: QtBot) -> None:
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.set_reports(list(unit_reports()))
    chart.resize(1100, 300)  # as in the dialog on a 1366×768 screen
    image = QImage(chart.size(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    chart.render(image)
    colours = {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert len(colours) > 20  # lines, points, text: not a blank widget
    # every series' colour is drawn
    drawn = {QColor(c).name() for c in colours}
    assert all(colour in drawn for colour in SERIES_COLOURS[: len(KEY_FIGURES)])
    # an empty chart says so rather than drawing axes
    empty = TrendChart()
    qtbot.addWidget(empty)
    empty.set_reports([])
    assert empty.series() == []


def test_one_report_only_says_there_is_nothing_to_compare(qtbot: QtBot) -> None:
    only = full_report("2021", 2024)
    dialog = open_dialog(qtbot, [only])
    assert dialog.last is None
    assert "没有上年的报告可以比较" in dialog.note.text()
    assert dialog.table.rowCount() == 0 and not dialog.show_all.isEnabled()
    assert dialog.findings.count() == 1 and "没有上年的报告" in dialog.findings.item(0).text()
    assert all(len(points) == 1 for _, _, points in dialog.chart.series())


def test_the_dialog_fits_a_1366_by_768_screen(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot, list(unit_reports()))
    assert dialog.width() <= 1366 and dialog.height() <= 740
    assert dialog.chart.height() >= 200 and dialog.table.height() >= 120


def test_clerk_compares_the_open_report_with_earlier_ones_in_the_database(qtbot: QtBot, tmp_path) -> None:
    """报告 → 与往年比较…: the report open in the editor against the agency's earlier reports, not a later one."""
    from core.storage import Store
    from tests.conftest import open_window

    db = tmp_path / "reports.sqlite3"
    first = Store(db, seed=False)
    older, last, this = unit_reports()
    ids = {r.year: first.add_report(r) for r in (older, last, this)}
    first.close()
    window, _store = open_window(qtbot, db)
    window.open_report(ids[last.year])
    dialog = window.show_comparison()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert (dialog.this.year, dialog.last.year if dialog.last else None) == (last.year, older.year)
    assert [year for year, _value in dialog.chart.series()[0][2]] == [older.year, last.year]  # not 2024
    window.close()
