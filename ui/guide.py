"""帮助 → 填报说明: what each row and column of the tables 二, 三 and 四 counts, read from the notes
kept with each format's data (resources/templates/*.json), so a format added as data brings its own."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.template import Template, default_template, load_template, templates

INTRO = (
    "下面按所选格式列出第二、三、四部分表格中每一行、每一列统计什么。说明依据《中华人民共和国政府信息公开条例》"
    "（2019 年修订，文中简称《条例》）的条文整理，行名、列名与官方格式一致；具体统计口径以本地政府信息公开"
    "工作主管部门的要求为准。灰色的合计由程序计算，不需要填写。"
)
NO_NOTE = "（格式文件中没有这一项的说明）"


def _note(text: str) -> str:
    return escape(text) if text else f'<span style="color:#888">{NO_NOTE}</span>'


def _table(rows: list[tuple[str, str | None]], head: tuple[str, str]) -> str:
    """Label and note a row; a note of None makes the label a group heading across the table."""
    cells = "".join(
        f"<tr><td colspan='2' bgcolor='#eef2f7'><b>{escape(label)}</b></td></tr>"
        if note is None
        else f"<tr><td><b>{escape(label)}</b></td><td>{_note(note)}</td></tr>"
        for label, note in rows
    )
    return (
        '<table border="1" cellspacing="0" cellpadding="4" width="100%">'
        f"<tr><th width='32%'>{escape(head[0])}</th><th>{escape(head[1])}</th></tr>{cells}</table>"
    )


def _computed(label: str, computed: bool) -> str:
    return f"{label}（合计，程序计算）" if computed else label


def section_2(template: Template) -> str:
    parts = [f"<h2><a name='s2'></a>{escape(template.section('s2').heading)}</h2>"]
    for block in template.s2.blocks:
        columns = "、".join(h.label for h in block.header if h.field)
        parts.append(f"<h3>{escape(block.caption)}</h3><p>{_note(block.note)}</p>")
        parts.append(f"<p>填写的栏目：{escape(columns)}。</p>")
        parts.append(_table([(row.label, row.note) for row in block.rows], ("行", "统计什么")))
    return "".join(parts)


def _groups(rows: list[tuple[str, str | None]]) -> set[str]:
    return {label for label, note in rows if note is None}


def section_3(template: Template) -> str:
    s3 = template.s3
    corner = next((h.label for h in s3.header if h.row == 0 and h.col == 0), "")
    parts = [f"<h2><a name='s3'></a>{escape(template.section('s3').heading)}</h2>"]
    if corner:
        parts.append(f"<p><b>每一列都要平衡</b>{escape(corner)}。程序随时检查（规则 S3-BALANCE）。</p>")
    parts.append("<h3>申请人（列）</h3>")
    parts.append(_table([(_computed(c.label, c.computed), c.note) for c in s3.columns], ("列", "统计谁的申请")))
    parts.append("<h3>行</h3>")
    rows: list[tuple[str, str | None]] = []
    for row in s3.rows:
        # Rows under a group (三、本年度办理结果) follow the group's heading, as in the printed table.
        if len(row.path) > 1 and row.path[0] not in _groups(rows):
            rows.append((row.path[0], None))
        rows.append((_computed("·".join(row.path[1:] or row.path), bool(row.sum_of)), row.note))
    parts.append(_table(rows, ("行", "统计什么")))
    return "".join(parts)


def section_4(template: Template) -> str:
    s4 = template.s4
    parts = [f"<h2><a name='s4'></a>{escape(template.section('s4').heading)}</h2>"]
    parts.append(_table([(g.full_label, g.note) for g in s4.groups], ("栏目", "统计哪些案件")))
    parts.append("<p></p>")
    parts.append(_table([(_computed(c.label, c.computed), c.note) for c in s4.columns], ("每一栏的列", "统计什么")))
    return "".join(parts)


def guide_html(template: Template) -> str:
    """The guide for one format, as rich text for a QTextBrowser."""
    title = f"填报说明 · {template.name}（{template.document}，{template.years_text}）"
    return (
        f"<h1>{escape(title)}</h1><p>{escape(INTRO)}</p>"
        + section_2(template)
        + section_3(template)
        + section_4(template)
    )


class GuideDialog(QDialog):
    """The guide, for the format of the open report (or the current one), switchable to any format."""

    def __init__(self, template_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guide_dialog")
        self.setWindowTitle("填报说明")
        self.resize(760, 640)
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("guide_format")
        for template in templates():
            self.format_combo.addItem(f"{template.name}（{template.years_text}）", template.id)
        chosen = template_id or default_template().id
        self.format_combo.setCurrentIndex(max(self.format_combo.findData(chosen), 0))
        self.browser = QTextBrowser()
        self.browser.setObjectName("guide_text")
        self.browser.setOpenLinks(False)
        top = QHBoxLayout()
        top.addWidget(QLabel("格式："))
        top.addWidget(self.format_combo, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("关闭")
        close.setObjectName("close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.format_combo.currentIndexChanged.connect(lambda _i: self._show())
        self._show()

    @property
    def template(self) -> Template:
        return load_template(str(self.format_combo.currentData()))

    def select_template(self, template_id: str) -> None:
        index = self.format_combo.findData(template_id)
        if index >= 0:
            self.format_combo.setCurrentIndex(index)

    def _show(self) -> None:
        self.browser.setHtml(guide_html(self.template))

    def show_section(self, section_id: str) -> None:
        """Scroll to 二, 三 or 四 (their headings carry the section ids as anchors)."""
        self.browser.scrollToAnchor(section_id)
