"""文件检查: the files of one report (its Word, web page and report file) can be told apart: a type
column, and long names shortened in the middle so that their endings stay."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from core.reportfile import read_report_file
from exports.docx_export import write_docx
from exports.html_export import write_html
from tests.conftest import SAMPLES_DIR
from ui.batch_check import AGENCY, ERRORS, FILE, FILE_TYPE, STATUS, TABLE_COLUMNS, BatchCheckWindow

WORKER_TIMEOUT_MS = 60_000
NAME = "平潭综合实验区管理委员会办公室2022年政府信息公开工作年度报告"


def test_one_report_in_three_files_shows_three_types_and_both_ends_of_each_name(
    qtbot: QtBot, tmp_path: Path
) -> None:
    source = SAMPLES_DIR / "real" / "2022_pingtan.json"
    report = read_report_file(source)
    shutil.copy(source, tmp_path / f"{NAME}.json")
    write_docx(report, tmp_path / f"{NAME}.docx")
    write_html(report, tmp_path / f"{NAME}.html")
    window = BatchCheckWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.batchFinished, timeout=WORKER_TIMEOUT_MS):
        window.add_paths([tmp_path])

    model = window.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == list(
        TABLE_COLUMNS
    )
    assert TABLE_COLUMNS[:2] == ("文件", "类型") and TABLE_COLUMNS[STATUS] == "状态"
    rows = {model.index(r, FILE).data(): r for r in range(model.rowCount())}
    types = {name.rsplit(".", 1)[1]: model.index(row, FILE_TYPE).data() for name, row in rows.items()}
    assert types == {"docx": "Word 文档", "html": "网页", "json": "报告文件"}
    for row in rows.values():  # the other columns kept their places after the new one
        assert model.index(row, AGENCY).data() == report.agency
        assert model.index(row, ERRORS).data().isdigit()

    # Too long for the column: the middle goes, the ending that tells the files apart stays.
    delegate = window.table.itemDelegateForColumn(FILE)
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, window.proxy.index(0, FILE))
    assert option.textElideMode == Qt.TextElideMode.ElideMiddle
    width = window.table.columnWidth(FILE) - 10
    shown = {
        QFontMetrics(option.font).elidedText(name, option.textElideMode, width) for name in rows
    }
    assert len(shown) == 3 and all("…" in text for text in shown)
    assert {text.rsplit(".", 1)[1] for text in shown} == {"docx", "html", "json"}
