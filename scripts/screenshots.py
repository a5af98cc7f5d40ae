"""Screenshots of the real app for the README: run under Xvfb (xvfb-run -s '-screen 0 1400x900x24')."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

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

    samples = ROOT / "tests" / "data"  # the public sample reports kept with the tests
    batch_folder = folder / "收到的报告"
    batch_folder.mkdir()

    def prepare_batch() -> None:
        # A reviewing office's folder: the samples as JSON, one as Word and one as PDF, and a broken file.
        import shutil

        from core.reportfile import read_report_file
        from exports.docx_export import write_docx
        from exports.pdf_export import write_pdf

        for name in ("seed-2020-tiexi.json", "real/2019_pingtan.json", "real/2022_pingtan.json"):
            shutil.copy(samples / name, batch_folder / Path(name).name)
        write_docx(read_report_file(samples / "real" / "2022_pingtan.json"), batch_folder / "平潭2022.docx")
        write_pdf(read_report_file(samples / "seed-2020-tiexi.json"), batch_folder / "铁西2020.pdf")
        (batch_folder / "损坏的文件.docx").write_bytes(b"not a docx")

    def batch() -> None:
        prepare_batch()
        window.show_list()
        batch_window = window.show_batch_check()
        batch_window.resize(1200, 700)
        batch_window.add_paths([batch_folder])

    def batch_shot() -> None:
        assert window.batch_window is not None
        bw = window.batch_window
        bw.table.selectRow(0) if hasattr(bw, "table") else None
        app.processEvents()
        bw.screen().grabWindow(bw.winId()).save(str(OUT / "app-batch-check.png"))
        print("saved batch-check")
        bw.close()

    def preview() -> None:
        from ui.import_preview import ImportPreviewDialog

        dialog = ImportPreviewDialog(store, batch_folder / "平潭2022.docx", window)
        dialog.resize(1000, 760)
        dialog.show()
        steps_preview.append(dialog)

    def preview_shot() -> None:
        dialog = steps_preview[0]
        app.processEvents()
        dialog.screen().grabWindow(dialog.winId()).save(str(OUT / "app-import-preview.png"))
        print("saved import-preview")
        dialog.close()

    steps_preview: list[QWidget] = []
    steps = [list_screen, matrix, new_report, text_tab, batch, batch_shot, preview, preview_shot, app.quit]
    for i, step in enumerate(steps):
        QTimer.singleShot(1500 * (i + 1), step)
    app.exec()
    store.close()


if __name__ == "__main__":
    main()
