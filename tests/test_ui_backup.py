"""Backups in the app: a damaged database at start offers the newest good backup (or the backups
dialog, or quitting), and 文件 → 备份与恢复 lists, makes and restores backups while the app runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from core import backup
from core.backup import list_backups
from core.storage import StorageError, Store
from tests.test_backup import dump, filled
from tests.test_damaged_db import checkpointed, damage, digest, spoil
from ui.backup_dialog import BackupDialog, open_store
from ui.main_window import MainWindow


class Answers:
    """Answers the message boxes the code shows: each custom box by the name of the button to click,
    in order; information and warning boxes are recorded."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *clicks: str) -> None:
        self.clicks = list(clicks)
        self.asked: list[tuple[str, str, list[str]]] = []
        self.told: list[tuple[str, str]] = []
        answers = self

        def exec_(box: QMessageBox) -> int:
            names = [b.objectName() for b in box.buttons()]
            answers.asked.append((box.objectName(), box.text(), names))
            wanted = answers.clicks.pop(0)
            button = next(b for b in box.buttons() if b.objectName() == wanted)
            button.click()
            return 0

        def tell(_parent: Any, title: str, text: str, *_args: Any) -> QMessageBox.StandardButton:
            answers.told.append((title, text))
            return QMessageBox.StandardButton.Ok

        monkeypatch.setattr(QMessageBox, "exec", exec_)
        for name in ("information", "warning", "critical"):
            monkeypatch.setattr(QMessageBox, name, tell)


def test_a_damaged_database_at_start_is_restored_from_the_newest_backup(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reports.sqlite3"
    expected, made = checkpointed(path)
    before = damage(path)
    answers = Answers(monkeypatch, "restore")
    store = open_store(None, path)
    assert store is not None
    ((name, text, buttons),) = answers.asked
    assert name == "database_damaged" and "已损坏" in text and made.describe() in text
    assert sorted(buttons) == ["choose", "quit", "restore"]  # no "keep": a damaged file is never kept in use
    assert dump(store) == expected
    store.close()
    ((title, told),) = answers.told
    assert title == "已恢复" and "3 份报告" in told and ".damaged-" in told
    (aside,) = tmp_path.glob("reports.sqlite3.damaged-*[0-9]")
    assert digest(aside) == before


def test_quitting_on_a_damaged_database_changes_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reports.sqlite3"
    checkpointed(path)
    before = damage(path)
    Answers(monkeypatch, "quit")
    assert open_store(None, path) is None
    assert digest(path) == before and not list(tmp_path.glob("reports.sqlite3.damaged-*"))


def test_lost_saves_at_start_can_be_kept_and_a_bad_file_gets_a_message(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reports.sqlite3"
    filled(path).close()
    mark = path.with_name("reports.sqlite3-saved")
    mark.write_text(f"{int(mark.read_text()) + 4:020d}\n")
    answers = Answers(monkeypatch, "keep")
    store = open_store(None, path)
    assert store is not None and len(store.list_reports()) == 3
    store.close()
    ((_name, text, buttons),) = answers.asked
    assert "最近 4 次保存已丢失" in text and "keep" in buttons
    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()
    assert open_store(None, folder) is None
    assert answers.told[-1][0] == "无法打开数据库"


def test_choosing_a_backup_in_the_dialog_at_start(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reports.sqlite3"
    expected, _made = checkpointed(path)
    damage(path)
    Answers(monkeypatch, "choose", "yes")

    def exec_dialog(dialog: BackupDialog) -> int:
        assert dialog.table.rowCount() == 1 and dialog.table.item(0, 3).text() == "3"
        assert not dialog.backup_button.isEnabled()  # nothing open to back up
        dialog.restore_button.click()
        return 1

    monkeypatch.setattr(BackupDialog, "exec", exec_dialog)
    store = open_store(None, path)
    assert store is not None and dump(store) == expected
    store.close()


def test_backups_dialog_in_the_running_app_backs_up_and_restores(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    expected = dump(store)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    assert window.act_backups.text() == "备份与恢复…" and window.act_backups.isEnabled()
    menu_texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "备份与恢复…" in menu_texts
    dialogs: list[BackupDialog] = []
    monkeypatch.setattr(BackupDialog, "exec", lambda dialog: dialogs.append(dialog) or 0)
    window.show_backups()
    (dialog,) = dialogs
    assert dialog.table.rowCount() == 0
    dialog.backup_button.click()  # 立即备份
    assert dialog.table.rowCount() == 1
    assert [dialog.table.item(0, c).text() for c in (1, 3)] == ["手动", "3"]
    assert dialog.findChild(QPushButton, "open_backups_folder") is not None

    report_id = next(iter(expected))
    window.store.set_text(report_id, "s5", "恢复之后就不在了")
    window.open_report(report_id)
    Answers(monkeypatch, "yes")
    dialog.restore_button.click()  # 恢复所选, confirmed
    assert window.session is None and window.store is not store  # the database was closed and opened again
    assert dump(window.store) == expected
    assert dialog.restored and dialog.store is window.store
    assert any(b.reason == "restore" for b in list_backups(path))  # the replaced database, backed up first
    assert window.reports.isVisible()
    window.close()
    window.store.close()


def test_confirming_is_needed_to_restore(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    store.backup()
    store.set_text(1, "s5", "留着")
    dialog = BackupDialog(path, store)
    qtbot.addWidget(dialog)
    answers = Answers(monkeypatch, "no")
    dialog.restore_button.click()
    assert answers.asked[0][0] == "confirm_restore" and not dialog.restored
    assert store.load(1).texts["s5"] == "留着"
    store.close()


def test_damage_found_while_the_app_runs_offers_the_backups(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reports.sqlite3"
    checkpointed(path)
    spoil(path, "四平市铁西区", b"\xff\xfe")
    monkeypatch.setattr(backup, "problem", lambda _conn: None)  # damage the check at open did not see
    store = Store(path)
    answers = Answers(monkeypatch, "later", "later")
    window = MainWindow(store)  # the list cannot check the example report: it says so, and offers backups
    qtbot.addWidget(window)
    assert [a[0] for a in answers.asked] == ["damaged_in_use"]
    assert answers.told[0][0] == "无法读取报告列表" and "已损坏" in answers.told[0][1]
    window.open_report(1)
    assert window.session is None
    assert answers.told[-1][0] == "无法打开报告" and "已损坏" in answers.told[-1][1]
    assert [a[0] for a in answers.asked] == ["damaged_in_use", "damaged_in_use"]
    with pytest.raises(StorageError, match="已损坏"):
        store.set_text(1, "s5", "不能写进损坏的文件")
    window.close()
    store.close()
