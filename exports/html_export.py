"""The report as HTML for a government portal: a page, or a fragment a clerk pastes into the portal's editor."""

from __future__ import annotations

import html
import os
import re

from core.report import Report
from core.reportfile import write_atomic
from exports.layout import GridCell, Layout, Paragraph, SignatureBlock, Table, build_layout

# Portal editors (UEditor, KindEditor) and their XSS filters drop <style>, classes and ids, so every
# element carries its own inline CSS. Font names are left unquoted (all are valid CSS identifiers):
# some editors re-escape quotes inside style attributes and break the declaration.
FANGSONG = "font-family:仿宋_GB2312,仿宋,FangSong,STFangsong,serif"
HEITI = "font-family:黑体,SimHei,STHeiti,sans-serif"
KAITI = "font-family:楷体_GB2312,楷体,KaiTi,STKaiti,serif"
XIAOBIAOSONG = "font-family:方正小标宋简体,FZXiaoBiaoSong-B05S,华文中宋,STZhongsong,宋体,SimSun,serif"
SONGTI = "font-family:宋体,SimSun,STSong,serif"

# 3号 body with a fixed 28 pt line, as the printed report (16 pt × 1.75); margin:0 because portal
# stylesheets give <p> their own margins.
TEXT = "margin:0;font-size:16pt;line-height:1.75;color:#000"
STYLE_TITLE = (
    f"margin:0 0 16pt 0;text-align:center;{XIAOBIAOSONG};font-size:22pt;line-height:1.5;font-weight:bold;color:#000"
)
STYLE_HEADING1 = f"{TEXT};text-indent:2em;{HEITI};font-weight:normal"
STYLE_HEADING2 = f"{TEXT};text-indent:2em;{KAITI};font-weight:normal"
STYLE_BODY = f"{TEXT};text-indent:2em;text-align:justify;{FANGSONG}"
STYLE_LEAD = f"{KAITI};font-weight:normal"
STYLE_SIGNATURE = f"{TEXT};text-align:right;padding-right:2em;{FANGSONG}"
STYLE_DRAFT = f"margin:0 0 12pt 0;text-align:center;{HEITI};font-size:16pt;line-height:1.75;font-weight:bold;color:#c00"
STYLE_TABLE = "width:100%;border-collapse:collapse;border:1px solid #000;margin:8pt 0"
# Every cell in 宋体 regular, headers and labels too, as the printed table (a portal's stylesheet makes
# <th> bold unless the cell says otherwise).
STYLE_CELL = (
    f"border:1px solid #000;padding:3px 4px;vertical-align:middle;{SONGTI};font-size:10.5pt;line-height:1.4;color:#000"
    ";font-weight:normal"
)
# 二's caption rows (第二十条第（一）项 …) as the circulating template has them: left, on grey.
CAPTION_SHADING = "background-color:#d9d9d9"
STYLE_DIV = "color:#000"
STYLE_BODY_ELEMENT = "margin:0 auto;padding:24px;max-width:860px;background:#fff"

PARAGRAPH_STYLES = {"title": STYLE_TITLE, "heading1": STYLE_HEADING1, "heading2": STYLE_HEADING2}
DRAFT_TEXT = "草稿（未定稿，请勿发布）"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\s*(?:\r\n|\r|\n)\s*")


def _esc(text: str) -> str:
    # Control characters are not allowed in HTML text and editors choke on them.
    return html.escape(_CONTROL.sub("", text), quote=True)


def _wide(char: str) -> bool:
    return ord(char) >= 0x2E80


def _one_line(text: str) -> str:
    """Text with its line breaks removed: an editor turns a newline inside a cell into a stray break.
    Chinese needs no space where a line was broken; Latin words and numbers do."""

    def join(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if not before or not after or _wide(before) or _wide(after):
            return ""
        return " "

    return _LINE_BREAK.sub(join, text.strip())


def _percent(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def _occupancy(table: Table) -> list[list[GridCell | None]]:
    """The grid as a browser lays it out; a layout whose cells overlap or leave the grid cannot be drawn."""
    grid: list[list[GridCell | None]] = [[None] * table.columns for _ in range(table.rows)]
    for cell in table.cells:
        if cell.rowspan < 1 or cell.colspan < 1:
            raise ValueError(f"表格 {table.id} 的单元格 ({cell.row}, {cell.col}) 跨行或跨列数无效")
        inside = cell.row >= 0 and cell.col >= 0
        if not inside or cell.row + cell.rowspan > table.rows or cell.col + cell.colspan > table.columns:
            raise ValueError(f"表格 {table.id} 的单元格 ({cell.row}, {cell.col}) 超出表格范围")
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                if grid[r][c] is not None:
                    raise ValueError(f"表格 {table.id} 的单元格在第 {r + 1} 行第 {c + 1} 列重叠")
                grid[r][c] = cell
    return grid


def _header_boundary(table: Table) -> int:
    """Rows that go into <thead>; a rowspan cannot cross from <thead> into <tbody>, so none if one would."""
    boundary = max(0, min(table.header_rows, table.rows))
    for cell in table.cells:
        if cell.row < boundary < cell.row + cell.rowspan:
            return 0
    return boundary


def _render_cell(cell: GridCell, width: float | None) -> str:
    tag = "th" if cell.header else "td"
    style = f"{STYLE_CELL};text-align:{'left' if cell.align == 'left' else 'center'}"
    if cell.shaded:
        style += f";{CAPTION_SHADING}"
    if width is not None:
        style += f";width:{_percent(width)}"
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    return f'<{tag}{attrs} style="{style}">{_esc(_one_line(cell.text))}</{tag}>'


def _render_table(table: Table) -> str:
    grid = _occupancy(table)
    total = sum(table.widths[: table.columns]) if len(table.widths) >= table.columns else 0.0
    percents = [w / total * 100 for w in table.widths[: table.columns]] if total > 0 else []
    # Editors that drop <colgroup> keep cell widths: the first cell standing alone in a column carries it.
    width_of: dict[tuple[int, int], float] = {}
    if percents:
        for col in range(table.columns):
            for row in range(table.rows):
                cell = grid[row][col]
                if cell is not None and cell.col == col and cell.colspan == 1:
                    width_of[(cell.row, cell.col)] = percents[col]
                    break
    boundary = _header_boundary(table)
    starts: dict[int, list[GridCell]] = {}
    for cell in table.cells:
        starts.setdefault(cell.row, []).append(cell)

    lines = [f'<table border="1" cellspacing="0" style="{STYLE_TABLE}">']
    if percents:
        lines.append("<colgroup>" + "".join(f'<col style="width:{_percent(p)}">' for p in percents) + "</colgroup>")
    for row in range(table.rows):
        if row == 0 and boundary > 0:
            lines.append("<thead>")
        if row == boundary:
            lines.append("<tbody>")
        cells = []
        for col in range(table.columns):
            cell = grid[row][col]
            if cell is None:
                # A hole would make the browser shift the rest of the row left: keep positions.
                cells.append(f'<td style="{STYLE_CELL};text-align:center"></td>')
            elif cell.row == row and cell.col == col:
                cells.append(_render_cell(cell, width_of.get((row, col))))
        lines.append("<tr>" + "".join(cells) + "</tr>")
        if row == boundary - 1:
            lines.append("</thead>")
    if boundary < table.rows:
        lines.append("</tbody>")
    lines.append("</table>")
    return "\n".join(lines)


def _render_paragraph(paragraph: Paragraph) -> str:
    if paragraph.style == "title":
        lines = [_esc(line.strip()) for line in paragraph.text.splitlines() if line.strip()]
        return f'<p style="{STYLE_TITLE}">{"<br>".join(lines)}</p>'
    style = PARAGRAPH_STYLES.get(paragraph.style, STYLE_BODY)
    text = _esc(_one_line(paragraph.text))
    if paragraph.lead:
        text = f'<span style="{STYLE_LEAD}">{_esc(_one_line(paragraph.lead))}</span>{text}'
    return f'<p style="{style}">{text}</p>'


def _render_signature(signature: SignatureBlock) -> str:
    """The organ and the date; an undated report shows the organ only (a web page has no blank
    "年 月 日" to fill in by hand, as the printed copy has)."""
    # Room above for the seal (盖章), as on the signed paper copy.
    organ = f'<p style="{STYLE_SIGNATURE};margin-top:32pt">{_esc(_one_line(signature.organ))}</p>'
    date = _esc(_one_line(signature.date))
    return f'{organ}\n<p style="{STYLE_SIGNATURE}">{date}</p>' if date else organ


def _render_content(layout: Layout, *, title: bool = True) -> str:
    parts: list[str] = []
    if layout.draft:
        parts.append(f'<p style="{STYLE_DRAFT}">{DRAFT_TEXT}</p>')
    for block in layout.blocks:
        if isinstance(block, Paragraph) and block.style == "title" and not title:
            continue
        if isinstance(block, Table):
            parts.append(_render_table(block))
        elif isinstance(block, SignatureBlock):
            parts.append(_render_signature(block))
        else:
            parts.append(_render_paragraph(block))
    return f'<div lang="zh-CN" style="{STYLE_DIV}">\n' + "\n".join(parts) + "\n</div>"


def render_html(layout: Layout, *, fragment: bool = False) -> str:
    """The layout as a complete HTML page, or (fragment=True) as one <div> to paste into a portal editor.
    The fragment leaves the title out: the portal's article has it as a field of its own and shows it
    above the text."""
    content = _render_content(layout, title=not fragment)
    if fragment:
        return content + "\n"
    title = _esc(_one_line(layout.title.replace("\n", " ")))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        "</head>\n"
        f'<body style="{STYLE_BODY_ELEMENT}">\n'
        f"{content}\n"
        "</body>\n"
        "</html>\n"
    )


def write_html(
    report: Report,
    path: str | os.PathLike[str],
    *,
    blank_as_zero: bool = True,
    draft: bool = False,
    fragment: bool = False,
) -> None:
    """Write the report as UTF-8 HTML; atomically, so a failure leaves any earlier file as it was."""
    layout = build_layout(report, blank_as_zero=blank_as_zero, draft=draft)
    write_atomic(path, render_html(layout, fragment=fragment).encode("utf-8"))
