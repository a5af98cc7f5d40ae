"""Screenshots of the real app for the README: run under Xvfb (xvfb-run -s '-screen 0 1400x900x24')."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.nextyear import next_year_report  # noqa: E402
from core.storage import Store  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    app = QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp())
    store = Store(folder / "reports.sqlite3")
    seed_id = store.list_reports()[0].id
    next_id = store.add_report(next_year_report(store.load(seed_id)))
    window = MainWindow(store)
    window.resize(1360, 860)
    window.show()
    steps = []

    def shot(name: str) -> None:
        app.processEvents()
        image = window.screen().grabWindow(window.winId())
        image.save(str(OUT / f"app-{name}.png"))
        print("saved", name)

    def list_screen() -> None:
        window.reports.refresh()
        shot("list")

    def matrix() -> None:
        window.open_report(seed_id)
        assert window.editor is not None
        window.editor.show_section("s3")
        window.editor.grids["s3"].select_cell("s3.new.natural")
        shot("matrix-findings")

    def new_report() -> None:
        window.open_report(next_id)
        assert window.session is not None and window.editor is not None
        window.session.edit_cells({"s3.new.natural": "12", "s3.new.commercial": "2", "s3.granted.natural": "5"})
        window.editor.show_section("s3")
        window.editor.grids["s3"].select_cell("s3.granted.natural")
        shot("next-year")

    def text_tab() -> None:
        assert window.editor is not None
        window.editor.show_section("s1")
        shot("section1")

    steps = [list_screen, matrix, new_report, text_tab, app.quit]
    for i, step in enumerate(steps):
        QTimer.singleShot(800 * (i + 1), step)
    app.exec()
    store.close()


if __name__ == "__main__":
    main()
