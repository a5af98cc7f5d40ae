"""Qt's own dialogs and buttons in Chinese: 是/否, 确定/取消, the file chooser, the print dialog."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

# Qt's translation of its own widgets; PySide6(-Essentials) ships it in its translations folder
# (LGPL Qt data).
QT_TRANSLATION = "qtbase_zh_CN"
# Labels of Qt's file chooser that qtbase_zh_CN.qm (as PySide6 6.8–6.11 ship it) leaves in English:
# its entries lack the "&" the dialog's source text carries.
QT_MISSING_ZH: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
}


class _MissingQtStrings(QTranslator):
    """The few strings of Qt's dialogs its Chinese catalogue lacks (QT_MISSING_ZH)."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        # None is Qt's null string: "not here, ask the next translation" ("" would blank the text).
        return QT_MISSING_ZH.get((context, source))

    def isEmpty(self) -> bool:
        return False


def install_translations(app: QCoreApplication) -> bool:
    """Put Qt's Chinese for its own dialogs into `app` (once, before any window is built); returns
    whether Qt's translation file was found (without it the standard buttons stay in English)."""
    if app.findChild(QTranslator, QT_TRANSLATION) is not None:
        return True
    translator = QTranslator(app)  # a child of the application: lives as long as it
    translator.setObjectName(QT_TRANSLATION)
    if not translator.load(QT_TRANSLATION, QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        translator.deleteLater()
        return False
    app.installTranslator(translator)
    app.installTranslator(_MissingQtStrings(app))
    return True
