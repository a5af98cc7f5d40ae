"""Reading a Word (.docx) report: paragraphs and tables in document order, each merged cell once with its span."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

from lxml import etree

from core.fileio import ReportFileError, read_regular
from reading import limits
from reading.document import ExtractedDocument, ExtractedTable
from reading.legacy_word import OLE_SIGNATURE, ZIP_SIGNATURES

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"

ENCRYPTED_OR_DOC = "文件已加密或是旧版 .doc 格式，请另存为 .docx 后再导入"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


P, R, T, TAB, BR, CR, TBL, TR, TC = (_w(t) for t in ("p", "r", "t", "tab", "br", "cr", "tbl", "tr", "tc"))
SDT, SDT_CONTENT, CUSTOM_XML, SMART_TAG = (_w(t) for t in ("sdt", "sdtContent", "customXml", "smartTag"))
DEL, MOVE_FROM, TXBX_CONTENT, RPR, VANISH = (_w(t) for t in ("del", "moveFrom", "txbxContent", "rPr", "vanish"))
NO_BREAK_HYPHEN, SOFT_HYPHEN, PTAB = (_w(t) for t in ("noBreakHyphen", "softHyphen", "ptab"))
TC_PR, GRID_SPAN, V_MERGE, H_MERGE, TR_PR, GRID_BEFORE = (
    _w(t) for t in ("tcPr", "gridSpan", "vMerge", "hMerge", "trPr", "gridBefore")
)
ALTERNATE_CONTENT, FALLBACK = f"{{{MC}}}AlternateContent", f"{{{MC}}}Fallback"
VAL = _w("val")
# Deleted text, hidden alternatives and the like: never part of what the document shows.
SKIPPED = frozenset({DEL, MOVE_FROM, FALLBACK, _w("instrText"), _w("delText"), _w("pPr"), _w("tcPr"), _w("tblPr")})
OFF = frozenset({"0", "false", "off"})


# --- opening the file -----------------------------------------------------------------------------


def _not_a_zip(raw: bytes) -> ReportFileError:
    """The reason a file that is no zip archive cannot be read as .docx."""
    head = raw[:8]
    if head.startswith(OLE_SIGNATURE):
        if "EncryptedPackage".encode("utf-16-le") in raw:
            return ReportFileError("文件已加密（设有打开密码），请在 Word 中取消密码、另存为 .docx 后再导入")
        if "WordDocument".encode("utf-16-le") in raw:
            return ReportFileError("这是旧版 Word 文档（.doc），请在 Word 中另存为 .docx 后再导入")
        return ReportFileError(ENCRYPTED_OR_DOC)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{\\rtf"):
        return ReportFileError("这是 RTF 文件，不是 .docx，请在 Word 中另存为 .docx 后再导入")
    if text.startswith(b"%PDF"):
        return ReportFileError("这是 PDF 文件，不是 .docx，请把扩展名改为 .pdf 后再导入")
    if text.startswith(b"<"):
        return ReportFileError("这是网页或 XML 文件，不是 .docx，请在 Word 中另存为 .docx 后再导入")
    return ReportFileError("不是有效的 Word 文档（.docx）：文件已损坏或是其他格式")


def _document_xml(raw: bytes) -> bytes:
    """word/document.xml of the package, unpacked within the limits (reading/limits.py): the number of
    entries, the sizes they declare, and the bytes actually inflated (a declared size can lie). Nothing
    else of the package is unpacked: styles, settings and pictures play no part in reading a report."""
    # The central directory's records, counted at the speed of a byte search before zipfile makes an
    # object of each (a 64 MB archive of empty entries would take 600 MB and 10 s).
    limits.check_count(raw.count(b"PK\x01\x02"), limits.ZIP_ENTRIES, "压缩包中的部分")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except zipfile.BadZipFile:
        raise ReportFileError("文件不完整或已损坏，无法作为 .docx 打开（可能下载或复制时被截断）") from None
    except (OSError, EOFError, ValueError, RuntimeError, NotImplementedError, struct.error):
        raise ReportFileError("文件已损坏，无法作为 .docx 打开") from None
    limits.check_count(len(infos), limits.ZIP_ENTRIES, "压缩包中的部分")
    names = [info.filename for info in infos]
    if "word/document.xml" not in names:
        if "xl/workbook.xml" in names:
            raise ReportFileError("这是 Excel 工作簿，不是 Word 文档")
        if "ppt/presentation.xml" in names:
            raise ReportFileError("这是 PowerPoint 演示文稿，不是 Word 文档")
        if "mimetype" in names and "content.xml" in names:
            raise ReportFileError("这是 OpenDocument（WPS/LibreOffice）文档，请另存为 .docx 后再导入")
        raise ReportFileError("压缩包中没有 word/document.xml，不是 Word 文档（.docx）")
    if "[Content_Types].xml" not in names:
        raise ReportFileError("Word 文档缺少必要的部分（[Content_Types].xml），文件已损坏")
    if names.count("word/document.xml") > 1:
        raise ReportFileError("压缩包中有两个 word/document.xml，文件已损坏")
    if any(info.flag_bits & 0x1 for info in infos):
        raise ReportFileError(ENCRYPTED_OR_DOC)
    document = next(info for info in infos if info.filename == "word/document.xml")
    if sum(info.file_size for info in infos) > limits.PACKAGE_UNPACKED_BYTES:
        raise limits.refuse("文件解压后过大")
    if document.file_size > limits.DOCUMENT_XML_BYTES:
        raise limits.refuse(f"Word 文档正文解压后有 {document.file_size // limits.MB} MB")
    try:
        with archive.open(document) as part:
            xml = part.read(limits.DOCUMENT_XML_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError):
        raise ReportFileError("文件不完整或已损坏，无法作为 .docx 打开") from None
    if len(xml) > limits.DOCUMENT_XML_BYTES:
        raise limits.refuse("Word 文档正文解压后过大")
    return xml


def _parse(xml: bytes) -> etree._Element:
    """The document's XML, refused before parsing when it holds more elements than any report (counted
    as its tags less its end tags, at the speed of a byte search), and when it nests deeper than libxml2
    allows (reading/limits.py); entities are never expanded, nothing is fetched."""
    elements = xml.count(b"<") - xml.count(b"</")
    limits.check_count(elements, limits.XML_ELEMENTS, "Word 文档中的元素")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root: etree._Element = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():  # libxml2's own limit (XML_DEPTH)
            raise limits.refuse(f"Word 文档的结构嵌套超过 {limits.XML_DEPTH} 层") from None
        raise ReportFileError("Word 文档内容已损坏（XML 格式错误）") from None
    if next(root.iter(etree.Entity), None) is not None:  # left unexpanded: from a DOCTYPE no Word file has
        raise ReportFileError("Word 文档中含有自定义实体（DOCTYPE），不是 Word 保存的文件，未读取")
    return root


def _body(raw: bytes) -> etree._Element:
    root = _parse(_document_xml(raw))
    if STRICT in str(root.tag):
        raise ReportFileError("不支持“Strict Open XML”格式的文档，请在 Word 中另存为普通 .docx 后再导入")
    if root.tag != _w("document"):
        raise ReportFileError("不是 Word 文档（.docx），可能是其他 Office 文件改了扩展名")
    body = root.find(_w("body"))
    if body is None:
        raise ReportFileError("Word 文档中没有正文")
    return body


# --- text ------------------------------------------------------------------------------------------


def _hidden(run: etree._Element) -> bool:
    rpr = run.find(RPR)
    if rpr is None:
        return False
    vanish = rpr.find(VANISH)
    return vanish is not None and vanish.get(VAL, "true").lower() not in OFF


class _Lines:
    """The visible text of a paragraph as lines (a line break starts a new one); text boxes anchored
    in it come out as paragraphs of their own."""

    def __init__(self) -> None:
        self.lines: list[list[str]] = [[]]
        self.boxes: list[str] = []

    def walk(self, element: etree._Element) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIPPED:
                continue
            if tag == T:
                self.lines[-1].append(child.text or "")
            elif tag in (TAB, PTAB):
                self.lines[-1].append(" ")
            elif tag in (BR, CR):
                self.lines.append([])
            elif tag == NO_BREAK_HYPHEN:
                self.lines[-1].append("-")
            elif tag == SOFT_HYPHEN:
                continue
            elif tag == TXBX_CONTENT:
                for p in child.iter(P):
                    self.boxes.extend(_paragraph_lines(p))
            elif tag == R and _hidden(child):
                continue
            else:
                self.walk(child)

    def texts(self) -> list[str]:
        return ["".join(parts).strip() for parts in self.lines]


def _paragraph_lines(p: etree._Element) -> list[str]:
    lines = _Lines()
    lines.walk(p)
    return [*lines.boxes, *lines.texts()]


def _cell_text(tc: etree._Element) -> str:
    """All the cell's paragraphs (and nested tables), one line each, without stray white space."""
    out: list[str] = []
    for p in tc.iter(P):
        # Paragraphs of text boxes are reached through their anchoring paragraph.
        if any(ancestor.tag == TXBX_CONTENT for ancestor in p.iterancestors() if ancestor is not tc):
            continue
        out.extend(line for line in _paragraph_lines(p) if line)
    return "\n".join(out)


# --- tables ----------------------------------------------------------------------------------------


def _int_attr(element: etree._Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return max(1, min(int(element.get(VAL, str(default))), 1000))
    except ValueError:
        return default


def _flat(parent: etree._Element, tag: str) -> list[etree._Element]:
    """Children with this tag, looking through content controls and custom XML wrappers."""
    out: list[etree._Element] = []
    for child in parent:
        if child.tag == tag:
            out.append(child)
        elif child.tag in (SDT, CUSTOM_XML, SDT_CONTENT, SMART_TAG):
            out.extend(_flat(child, tag))
    return out


def _table(tbl: etree._Element) -> ExtractedTable:
    """The table's grid read from the XML: horizontal merges (w:gridSpan, old w:hMerge) and vertical
    ones (w:vMerge restart/continue), so each merged cell appears once with (rowspan, colspan)."""
    rows: list[list[str]] = []
    spans: list[list[tuple[int, int]]] = []
    open_merges: dict[int, tuple[int, int]] = {}  # start column → (row, index) of the cell it continues
    for tr in _flat(tbl, TR):
        texts: list[str] = []
        row_spans: list[tuple[int, int]] = []
        starts: list[int] = []
        tr_pr = tr.find(TR_PR)
        col = _int_attr(tr_pr.find(GRID_BEFORE), 0) if tr_pr is not None else 0
        if col:
            texts.append("")
            row_spans.append((1, col))
            starts.append(0)
        for tc in _flat(tr, TC):
            tc_pr = tc.find(TC_PR)
            span = _int_attr(tc_pr.find(GRID_SPAN) if tc_pr is not None else None, 1)
            v_merge = tc_pr.find(V_MERGE) if tc_pr is not None else None
            h_merge = tc_pr.find(H_MERGE) if tc_pr is not None else None
            text = _cell_text(tc)
            if v_merge is not None and v_merge.get(VAL, "continue") != "restart" and col in open_merges:
                r, i = open_merges[col]
                rowspan, colspan = spans[r][i]
                spans[r][i] = (rowspan + 1, colspan)
                col += span
                continue
            if h_merge is not None and h_merge.get(VAL, "continue") != "restart" and texts:
                rowspan, colspan = row_spans[-1]
                row_spans[-1] = (rowspan, colspan + span)
                if text:
                    texts[-1] = f"{texts[-1]}\n{text}" if texts[-1] else text
                col += span
                continue
            for c in range(col, col + span):
                open_merges.pop(c, None)
            if v_merge is not None:
                open_merges[col] = (len(rows), len(texts))
            texts.append(text)
            row_spans.append((1, span))
            starts.append(col)
            col += span
        rows.append(texts)
        spans.append(row_spans)
    return ExtractedTable(rows=rows, spans=spans)


# --- the body --------------------------------------------------------------------------------------


class _Body:
    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.tables: list[ExtractedTable] = []
        self.positions: list[int] = []
        # Where each paragraph stands for the import log: "第 12 段", counting the paragraphs with text
        # outside tables (the lines of one paragraph, and its text boxes, share its number).
        self.places: list[str] = []
        self.filled = 0

    def walk(self, parent: etree._Element) -> None:
        for child in parent:
            tag = child.tag
            if tag == P:
                lines = [line for line in _paragraph_lines(child) if line]
                if lines:
                    self.filled += 1
                    self.paragraphs.extend(lines)
                    self.places.extend([f"第 {self.filled} 段"] * len(lines))
            elif tag == TBL:
                cells = [tc for tr in _flat(child, TR) for tc in _flat(tr, TC)]
                if len(cells) == 1 and cells[0].find(f".//{TBL}") is not None:
                    # A one-cell table used as a frame around the report: read what it holds.
                    self.walk(cells[0])
                    continue
                self.positions.append(len(self.paragraphs))
                self.tables.append(_table(child))
            elif tag in (SDT, SDT_CONTENT, CUSTOM_XML):
                self.walk(child)
            elif tag == ALTERNATE_CONTENT:
                choice = next((c for c in child if isinstance(c.tag, str) and c.tag != FALLBACK), None)
                if choice is not None:
                    self.walk(choice)


def extract_docx(path: str | os.PathLike[str]) -> ExtractedDocument:
    """The paragraphs and tables of a .docx in document order; ReportFileError with a one-line
    Chinese reason for anything that is not a readable Word document."""
    raw = read_regular(path, limits.FILE_BYTES[".docx"])
    if not raw:
        raise ReportFileError("文件是空的")
    if not raw.startswith(ZIP_SIGNATURES):
        raise _not_a_zip(raw)
    body = _body(raw)
    found = _Body()
    try:
        found.walk(body)
    except RecursionError:
        raise ReportFileError("Word 文档的结构嵌套过深，无法读取") from None
    return ExtractedDocument(found.paragraphs, found.tables, found.positions, source="docx", places=found.places)
