"""报告 → 地方规则…: the dialog lists the packs and their rules, loads (refusing broken packs, asking before
replacing), loads the example, removes; the open report's findings and the list's counts follow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from core import rulepack
from core.rulepack import installed_packs, rulepacks_dir
from tests.conftest import open_only_report, open_window
from ui.rule_packs import RulePacksDialog


@pytest.fixture(autouse=True)
def _no_run_packs() -> None:
    rulepack.clear_run_packs()


def pack_file(folder: Path, name: str = "城市.json", **changes: Any) -> Path:
    data: dict[str, Any] = {
        "format": "gov-report-rule-pack",
        "format_version": 1,
        "name": "测试市编制要求",
        "source": "测试市政务公开办公室",
        "rules": [
            {"id": "LOCAL-CITY-LENGTH", "section": "s1", "max_chars": 300, "message": "总体情况不超过300字"},
            {"id": "LOCAL-CITY-HOTLINE", "section": "s6", "required_phrases": ["12345"]},
        ],
    }
    data.update(changes)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def answer(monkeypatch: pytest.MonkeyPatch, yes: bool) -> list[str]:
    """QMessageBox.question answers `yes`; returns the questions asked."""
    asked: list[str] = []

    def question(_parent: Any, _title: str, text: str, *_args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def warnings_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: shown.append(text))
    return shown


def text_at(table: Any, row: int, col: int) -> str:
    item = table.item(row, col)
    assert item is not None
    return str(item.text())


def cells(table: Any, row: int) -> list[str]:
    return [text_at(table, row, col) for col in range(table.columnCount())]


def test_dialog_lists_packs_and_rules_loads_and_removes(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = RulePacksDialog()
    qtbot.addWidget(dialog)
    changed: list[bool] = []
    dialog.packsChanged.connect(lambda: changed.append(True))
    assert dialog.packs_table.rowCount() == 0 and not dialog.remove_button.isEnabled()
    assert "尚未载入规则包" in dialog.details.text()

    assert dialog.load_pack_file(pack_file(tmp_path, applies_to_years=[2024, 2025]))
    assert changed == [True]
    assert cells(dialog.packs_table, 0) == [
        "测试市编制要求", "测试市政务公开办公室", "2024 年度、2025 年度", "2", "城市.json"
    ]
    assert [cells(dialog.rules_table, r) for r in range(dialog.rules_table.rowCount())] == [
        ["LOCAL-CITY-LENGTH", "一、总体情况", "一、总体情况 不超过 300 字"],
        ["LOCAL-CITY-HOTLINE", "六、其他需要报告的事项", "六、其他需要报告的事项 写有“12345”"],
    ]
    assert (rulepacks_dir() / "城市.json").is_file()
    assert "已载入规则包「测试市编制要求」（2 条规则）" in dialog.status.text()

    # The example: a second pack, its rules shown when selected.
    assert dialog.load_example()
    assert dialog.packs_table.rowCount() == 2
    example_row = next(r for r in range(2) if "示例" in text_at(dialog.packs_table, r, 0))
    dialog.packs_table.selectRow(example_row)
    assert [text_at(dialog.rules_table, r, 0) for r in range(dialog.rules_table.rowCount())] == [
        "LOCAL-S1-LENGTH", "LOCAL-S1-PARTS", "LOCAL-S1-FIGURES"
    ]
    assert text_at(dialog.rules_table, 0, 2) == "一、总体情况 不超过 1,000 字"

    # 移除 asks; “否” keeps the pack.
    asked = answer(monkeypatch, yes=False)
    assert not dialog.remove_selected()
    assert len(installed_packs()) == 2 and "示例" in asked[0]
    answer(monkeypatch, yes=True)
    assert dialog.remove_selected()
    assert [p.name for p in installed_packs()] == ["测试市编制要求"]
    assert dialog.packs_table.rowCount() == 1 and len(changed) == 3
    assert list((rulepacks_dir().parent / rulepack.REMOVED_FOLDER).iterdir())


def test_broken_pack_is_refused_with_its_reason(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = RulePacksDialog()
    qtbot.addWidget(dialog)
    shown = warnings_shown(monkeypatch)
    broken = pack_file(tmp_path, "坏.json", rules=[{"id": "LOCAL-X", "section": "s1", "pattern": "(", "message": "m"}])
    assert not dialog.load_pack_file(broken)
    (reason,) = shown
    assert reason.startswith("规则包「坏.json」无法使用：规则「LOCAL-X」的正则表达式有误")
    assert dialog.status.text() == reason and installed_packs() == ()
    assert not rulepacks_dir().exists() or not any(rulepacks_dir().iterdir())  # nothing copied
    # A broken file put in the folder by hand is named in the dialog, and not used.
    pack_file(rulepacks_dir(), "手工放入.json", format_version="一")
    dialog.refresh()
    assert dialog.problems.isVisibleTo(dialog) and "手工放入.json" in dialog.problems.text()


def test_replacing_a_pack_of_the_same_name_asks(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = RulePacksDialog()
    qtbot.addWidget(dialog)
    assert dialog.load_pack_file(pack_file(tmp_path / "v1"))
    length = {"id": "LOCAL-CITY-LENGTH", "section": "s1", "max_chars": 800}
    newer = pack_file(tmp_path / "v2", "新版.json", rules=[length])
    asked = answer(monkeypatch, yes=False)
    assert not dialog.load_pack_file(newer)
    assert "已载入同名的规则包「测试市编制要求」（城市.json，2 条规则）" in asked[0]
    assert [len(p.rules) for p in installed_packs()] == [2]
    answer(monkeypatch, yes=True)
    assert dialog.load_pack_file(newer)
    assert [(p.file_name, len(p.rules)) for p in installed_packs()] == [("城市.json", 1)]
    assert text_at(dialog.rules_table, 0, 2) == "一、总体情况 不超过 800 字"


def test_the_open_reports_findings_follow_the_packs(
    qtbot: QtBot, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _store, _report_id = open_only_report(qtbot, db_path)
    session, editor = window.session, window.editor
    assert session is not None and editor is not None
    # The example report (铁西区 2020) has a 一 of 702 characters and a 六 without 12345.
    assert not [f for f in session.findings if f.rule.startswith("LOCAL-")]
    dialog = window.show_rule_packs()
    assert isinstance(dialog, RulePacksDialog) and dialog.isVisible()
    assert dialog.load_pack_file(pack_file(tmp_path))
    local = [f for f in session.findings if f.rule.startswith("LOCAL-")]
    assert [(f.rule, f.section) for f in local] == [("LOCAL-CITY-LENGTH", "s1"), ("LOCAL-CITY-HOTLINE", "s6")]
    assert local[0].message == "一、总体情况 702 字，超过本地要求的 300 字（测试市编制要求：总体情况不超过300字）"
    warnings = editor.findings.finding_items("warning")
    (item,) = [i for i in warnings if i.data(Qt.ItemDataRole.UserRole).rule == "LOCAL-CITY-HOTLINE"]
    assert "（规则 LOCAL-CITY-HOTLINE" in item.toolTip()
    # Clicking it goes to 六.
    editor.findings.scrollToItem(item)
    where = editor.findings.visualItemRect(item).center()
    qtbot.mouseClick(editor.findings.viewport(), Qt.MouseButton.LeftButton, pos=where)  # type: ignore[no-untyped-call]
    assert editor.tabs.currentIndex() == editor.tab_index["s6"]
    # Writing what the pack asks for removes its warning; removing the pack removes the other.
    assert session.edit_text("s6", session.text("s6") + "政务服务便民热线12345。")
    assert [f.rule for f in session.findings if f.rule.startswith("LOCAL-")] == ["LOCAL-CITY-LENGTH"]
    answer(monkeypatch, yes=True)
    assert dialog.remove_selected()
    assert not [f for f in session.findings if f.rule.startswith("LOCAL-")]
    assert window.counts_label.text() == f"错误 {session.counts()[0]} · 提示 {session.counts()[1]}"
    dialog.close()


def test_the_reports_list_counts_follow_the_packs(qtbot: QtBot, db_path: Path, tmp_path: Path) -> None:
    window, store = open_window(qtbot, db_path)
    (before,) = window.reports.model.summaries()
    dialog = window.show_rule_packs()
    assert dialog.load_pack_file(pack_file(tmp_path))
    # The list was made again at once (the packs changed the key its counts are kept under).
    (after,) = window.reports.model.summaries()
    assert (after.id, after.warnings) == (before.id, before.warnings + 2)
    assert [s.warnings for s in store.list_reports()] == [after.warnings]
    dialog.close()


def test_the_menu_entry_opens_the_dialog(qtbot: QtBot, db_path: Path) -> None:
    window, _store = open_window(qtbot, db_path)
    (action,) = [a for a in window.findChildren(type(window.act_history)) if a.objectName() == "rule_packs"]
    assert action.text() == "地方规则…" and action.isEnabled()
    action.trigger()
    dialogs = [d for d in window.findChildren(RulePacksDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].close()


def test_load_pack_asks_for_a_file(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    dialog = RulePacksDialog()
    qtbot.addWidget(dialog)
    chosen: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (chosen.pop(), "规则包 (*.json)"))
    chosen.append("")  # cancelled
    assert not dialog.load_pack() and installed_packs() == ()
    chosen.append(str(pack_file(tmp_path)))
    assert dialog.load_pack() and [p.name for p in installed_packs()] == ["测试市编制要求"]
