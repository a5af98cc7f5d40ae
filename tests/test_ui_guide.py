"""帮助 → 填报说明: the notes on what each row counts are data of each format, and the guide shows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QTextBrowser
from pytestqt.qtbot import QtBot

from core.storage import Store
from core.template import load_template
from ui.guide import NO_NOTE, GuideDialog, guide_html
from ui.main_window import MainWindow

BOTH = pytest.mark.parametrize("template_id", ["2021", "2019"])


@BOTH
def test_every_row_and_column_of_the_tables_has_a_note(template_id: str) -> None:
    template = load_template(template_id)
    assert all(row.note for row in template.s3.rows)
    assert all(column.note for column in template.s3.columns)
    assert all(block.note and all(row.note for row in block.rows) for block in template.s2.blocks)
    assert all(group.note for group in template.s4.groups)
    assert all(column.note for column in template.s4.columns)
    # The notes the row labels themselves carry stay the official labels; the notes add the article.
    assert "第三十七条" in template.s3.row("partially_granted").note
    assert template.s3.row("carried_over").note.endswith("（检查规则 CARRY-OVER）。")


def test_notes_are_data_of_the_template_files() -> None:
    """Written in resources/templates/*.json (a format added as data brings its own notes)."""
    folder = Path(__file__).resolve().parents[1] / "resources" / "templates"
    data = json.loads((folder / "2021.json").read_text("utf-8"))
    row = next(r for r in data["s3"]["rows"] if r["id"] == "denied_third_party")
    assert row["note"] == load_template("2021").s3.row("denied_third_party").note
    assert "第十五条" in row["note"]


def test_a_template_without_notes_still_loads(tmp_path: Path) -> None:
    from core.template import _build

    data = json.loads((Path(__file__).resolve().parents[1] / "resources" / "templates" / "2021.json").read_text())
    for row in data["s3"]["rows"]:
        row.pop("note")
    template = _build(data)
    assert template.s3.row("new").note == ""
    assert NO_NOTE in guide_html(template)


@BOTH
def test_guide_lists_every_row_of_three_with_its_note(qtbot: QtBot, template_id: str) -> None:
    dialog = GuideDialog(template_id)
    qtbot.addWidget(dialog)
    text = dialog.findChild(QTextBrowser, "guide_text").toPlainText()
    template = load_template(template_id)
    for row in template.s3.rows:
        assert row.path[-1] in text and row.note in text
    for block in template.s2.blocks:
        assert block.caption in text and all(r.note in text for r in block.rows)
    assert "第一项加第二项之和，等于第三项加第四项之和" in text  # the balance printed in the corner
    assert "（七）总计（合计，程序计算）" in text
    assert NO_NOTE not in text


def test_guide_switches_format(qtbot: QtBot) -> None:
    dialog = GuideDialog("2021")
    qtbot.addWidget(dialog)
    browser = dialog.findChild(QTextBrowser, "guide_text")
    assert "逾期未按收费通知" in browser.toPlainText()
    combo = dialog.findChild(QComboBox, "guide_format")
    combo.setCurrentIndex(combo.findData("2019"))
    assert "逾期未按收费通知" not in browser.toPlainText()
    assert "政府集中采购" in browser.toPlainText()


def test_help_menu_opens_the_guide_for_the_open_report(qtbot: QtBot, store: Store) -> None:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "帮助(&H)")
    assert [a.text() for a in help_menu.actions() if a.text()] == ["填报说明…", "关于"]
    window.act_guide.trigger()
    assert window.guide is not None and window.guide.isVisible()
    assert window.guide.template.id == "2021"  # no report open: the current format
    window.guide.close()
    window.open_report(store.list_reports()[0].id)  # the example, a 2020 report in the 2019 format
    window.act_guide.trigger()
    assert window.guide.isVisible() and window.guide.template.id == "2019"
