"""Hostile inputs for the readers: seeded mutations of real reports in the four formats the product reads
(report files, Word documents, PDFs and web pages), and the named cases of issue 11 built from scratch.

Every input is (name, suffix, bytes) and depends only on its seed: `mutations(n, seed)` gives the same
n inputs on every run, so a failure can be made again by its name. The seeds are the repository's own
test reports (tests/data) and the Word and web-page exports of them (made once per run)."""

from __future__ import annotations

import io
import json
import random
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
JSON_SEEDS = (
    DATA / "real" / "2019_pingtan.json",
    DATA / "real" / "2022_pingtan.json",
    DATA / "office" / "office-2019.json",
    DATA / "office" / "office-2021.json",
    DATA / "seed-2020-tiexi.json",
)
PDF_SEEDS = tuple(sorted((DATA / "office").glob("*.pdf")))
FORMATS = (".json", ".docx", ".pdf", ".html")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class Hostile:
    name: str  # says how it was made: format, seed, mutation, random seed
    suffix: str
    data: bytes


# --- seeds --------------------------------------------------------------------------------------------


@cache
def seeds(suffix: str) -> tuple[tuple[str, bytes], ...]:
    """(name, bytes) of the real reports in a format; .docx and .html are the product's exports of the
    report files (their readers must read them back), made once per process."""
    if suffix == ".json":
        return tuple((p.stem, p.read_bytes()) for p in JSON_SEEDS)
    if suffix == ".pdf":
        return tuple((p.stem, p.read_bytes()) for p in PDF_SEEDS)
    from core.reportfile import read_report_file
    from exports.docx_export import render_docx
    from exports.html_export import render_html
    from exports.layout import build_layout

    # Files Word or LibreOffice wrote, when the repository has them, after the product's own exports.
    made_by_office = sorted((DATA / "office").glob(f"*{suffix}"))
    out: list[tuple[str, bytes]] = []
    for path in JSON_SEEDS[:3]:
        layout = build_layout(read_report_file(path))
        if suffix == ".docx":
            out.append((path.stem, render_docx(layout)))
        else:
            out.append((path.stem, render_html(layout, fragment=False).encode("utf-8")))
            out.append((f"{path.stem}-fragment", render_html(layout, fragment=True).encode("utf-8")))
    out.extend((f"{path.stem}-office", path.read_bytes()) for path in made_by_office)
    return tuple(out)


# --- byte mutations (any format) ----------------------------------------------------------------------


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 24)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def insert_junk(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    junk = rng.choice([b"\x00" * rng.randint(1, 64), rng.randbytes(rng.randint(1, 256)), b"\xff\xfe", b"\xed\xa0\x80"])
    return data[:i] + junk + data[i:]


def delete_range(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, 2048) :]


def duplicate_range(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data))
    chunk = data[i : i + rng.randint(1, 4096)]
    return data[:i] + chunk * rng.randint(2, 20) + data[i:]


BYTE_MUTATIONS: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    flip_bytes, truncate, insert_junk, delete_range, duplicate_range,
)


# --- report files -------------------------------------------------------------------------------------


def _nest(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


WEIRD_VALUES: tuple[Callable[[random.Random], Any], ...] = (
    lambda r: 10 ** r.randint(15, 5000),
    lambda r: -(10 ** r.randint(1, 30)),
    lambda r: "1,2,3",
    lambda r: "１２，３４５",
    lambda r: "\ud800",
    lambda r: "a\x00b",
    lambda r: "数" * r.randint(1000, 100_000),
    lambda r: _nest(r.randint(2, 3000), 1),
    lambda r: {"a": {"b": [1, 2]}},
    lambda r: True,
    lambda r: None,
    lambda r: float(f"{r.random()}e{r.randint(-400, 400)}"),  # 0.0 or inf beyond a float's range
    lambda r: "NaN",
    lambda r: "",
)
# Number literals json.dumps cannot write but a file can hold.
RAW_NUMBERS = ("1e-99999999999999999999", "1e999999999999", "-0.0e-0", "9" * 5000, "1E+400", "NaN", "-Infinity")


def mutate_json(rng: random.Random, data: bytes) -> bytes:
    """A structural change of a report file: a weird value in a cell or field, a missing or mistyped key,
    deep nesting, many keys, a raw number literal no Decimal holds."""
    doc: dict[str, Any] = json.loads(data)
    choice = rng.randrange(9)
    keys = ["agency", "title", "preamble", "year", "template", "format_version", "format"]
    if choice == 0 and isinstance(doc.get("cells"), dict) and doc["cells"]:
        doc["cells"][rng.choice(sorted(doc["cells"]))] = rng.choice(WEIRD_VALUES)(rng)
    elif choice == 1:
        doc[rng.choice(keys)] = rng.choice(WEIRD_VALUES)(rng)
    elif choice == 2:
        doc.pop(rng.choice(keys), None)
    elif choice == 3:
        doc[rng.choice(["sections", "cells", "signature", "contact"])] = rng.choice(WEIRD_VALUES)(rng)
    elif choice == 4:
        doc[f"extension{rng.randint(0, 9)}"] = _nest(rng.randint(10, 5000), {"x": "y"})
    elif choice == 5 and isinstance(doc.get("cells"), dict):
        doc["cells"].update({f"s3.bogus{i}.natural": i for i in range(rng.randint(100, 50_000))})
    elif choice == 6 and isinstance(doc.get("sections"), dict):
        doc["sections"][rng.choice(["s1", "s5", "s6", "s2_note"])] = rng.choice(WEIRD_VALUES)(rng)
    elif choice == 7:
        text = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
        marker = json.dumps(rng.choice(sorted(doc.get("cells") or {"x": 0})))
        return re.sub(re.escape(marker) + r": [^,}]*", f"{marker}: {rng.choice(RAW_NUMBERS)}", text, count=1).encode()
    else:
        doc["signature"] = {"organ": rng.choice(WEIRD_VALUES)(rng), "date": rng.choice(WEIRD_VALUES)(rng)}
    try:
        return json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    except (ValueError, RecursionError):  # what json.dumps cannot write: a byte mutation instead
        return flip_bytes(rng, data)


# --- zip packages (.docx) -------------------------------------------------------------------------------


def _entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def _pack(entries: list[tuple[str, bytes]], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", compression) as archive:
        warnings.simplefilter("ignore")  # a duplicate entry is what some mutations want
        for name, content in entries:
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), content, compress_type=compression)
    return buffer.getvalue()


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    entries = [(info.filename, body) for info, body in _entries(data)]
    return _pack([(n, content if n == name else body) for n, body in entries])


def _document_xml(data: bytes) -> bytes:
    return dict((info.filename, body) for info, body in _entries(data))["word/document.xml"]


def _xml_mutation(rng: random.Random, xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    choice = rng.randrange(10)
    if choice == 0:  # huge spans
        return re.sub(r'w:gridSpan w:val="\d+"', lambda m: f'w:gridSpan w:val="{rng.choice([0, -1, 999, 10**9, "x"])}"',
                      text).encode()
    if choice == 1:  # a vertical merge continued over many rows
        rows = re.findall(r"<w:tr[ >].*?</w:tr>", text, flags=re.S)
        if rows:
            row = re.sub(r"<w:tcPr>", '<w:tcPr><w:vMerge/>', rows[-1])
            text = text.replace(rows[-1], rows[-1] + row * rng.randint(50, 2500), 1)
        return text.encode()
    if choice == 2:  # content controls nested deep
        depth = rng.randint(100, 20_000)
        return text.replace("<w:body>", "<w:body>" + "<w:sdt><w:sdtContent>" * depth
                            + "</w:sdtContent></w:sdt>" * depth, 1).encode()
    if choice == 3:  # a DOCTYPE with entities
        decl = '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' \
               '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        text = re.sub(r"(<\?xml[^>]*\?>)", r"\1" + decl, text, count=1)
        return text.replace("</w:t>", "&d;</w:t>", rng.randint(1, 50)).encode()
    if choice == 4:  # many empty paragraphs
        return text.replace("<w:body>", "<w:body>" + "<w:p/>" * rng.randint(1000, 400_000), 1).encode()
    if choice == 5:  # an element removed
        tags = [m.start() for m in re.finditer(r"<w:(?:tbl|tr|tc|p)[ >]", text)]
        if tags:
            i = rng.choice(tags)
            return (text[:i] + text[i + rng.randint(5, 400) :]).encode()
        return text.encode()
    if choice == 6:  # control characters and surrogates as character references in text
        ref = rng.choice(["&#0;", "&#1;", "&#xD800;", "&#xFFFE;", "\x01", "&#x1F;"])
        return text.replace("</w:t>", f"{ref}</w:t>", rng.randint(1, 20)).encode("utf-8", "surrogatepass")
    if choice == 7:  # a table duplicated many times
        tables = re.findall(r"<w:tbl>.*?</w:tbl>", text, flags=re.S)
        if tables:
            text = text.replace(tables[0], tables[0] * rng.randint(2, 300), 1)
        return text.encode()
    if choice == 8:  # one long text
        return text.replace("</w:t>", "字" * rng.randint(10_000, 1_000_000) + "</w:t>", 1).encode()
    return text.replace(W_NS, rng.choice(["http://purl.oclc.org/ooxml/wordprocessingml/main", "urn:x"]), 1).encode()


def mutate_docx(rng: random.Random, data: bytes) -> bytes:
    """A change of the package or of its XML: an entry corrupted, duplicated, removed or inflated, sizes
    that lie, the document's XML mutated."""
    choice = rng.randrange(7)
    entries = _entries(data)
    if choice == 0:  # an entry's stored bytes damaged
        names = [info.filename for info, _ in entries]
        raw = bytearray(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo(rng.choice(names))
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        for _ in range(rng.randint(1, 16)):
            raw[start + rng.randrange(max(1, info.compress_size))] ^= 0xFF
        return bytes(raw)
    if choice == 1:  # an entry twice
        named = [(info.filename, body) for info, body in entries]
        named.append(rng.choice(named))
        return _pack(named)
    if choice == 2:  # an entry removed
        named = [(info.filename, body) for info, body in entries]
        named.pop(rng.randrange(len(named)))
        return _pack(named)
    if choice == 3:  # a part inflated: a styles or settings bomb
        part = rng.choice(["word/styles.xml", "word/settings.xml", "word/footer1.xml", "docProps/core.xml"])
        body = b'<?xml version="1.0"?><w:styles xmlns:w="' + W_NS.encode() + b'">' + b"<w:style/>" * rng.randint(
            10_000, 600_000
        ) + b"</w:styles>"
        return _with_part(data, part, body)
    if choice == 4:  # sizes in the central directory that lie
        raw = bytearray(data)
        for match in re.finditer(rb"PK\x01\x02", bytes(raw)):
            if rng.random() < 0.5:
                struct.pack_into("<I", raw, match.start() + 24, rng.choice([0, 1, 2**31, 2**32 - 1]))
        return bytes(raw)
    if choice == 5:  # stored, not compressed
        return _pack([(info.filename, body) for info, body in entries], compression=zipfile.ZIP_STORED)
    return _with_part(data, "word/document.xml", _xml_mutation(rng, _document_xml(data)))


# --- web pages ------------------------------------------------------------------------------------------


def mutate_html(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8")
    choice = rng.randrange(8)
    if choice == 0:
        return re.sub(r"<td", lambda m: f'<td rowspan="{rng.choice([0, 65534, 10**9, -3, "x"])}" '
                      f'colspan="{rng.choice([1000, 10**6, 0, "2px"])}"' if rng.random() < 0.3 else "<td", text
                      ).encode()
    if choice == 1:
        depth = rng.randint(100, 50_000)
        return text.replace("<body>", "<body>" + "<table><tr><td>" * depth, 1).encode()
    if choice == 2:
        return re.sub(r"</t[dr]>", "", text, count=rng.randint(1, 500)).encode()
    if choice == 3:
        return text.replace("<body>", "<body>" + "<p></p>" * rng.randint(1000, 300_000), 1).encode()
    if choice == 4:
        rows = re.findall(r"<tr[ >].*?</tr>", text, flags=re.S)
        if rows:
            text = text.replace(rows[-1], rows[-1] * rng.randint(100, 20_000), 1)
        return text.encode()
    if choice == 5:
        return re.sub(r'charset="?[\w-]+', f'charset={rng.choice(["utf-16", "gb2312", "x-unknown", "utf-7"])}',
                      text, count=1).encode("utf-8")
    if choice == 6:
        return text.replace("</td>", f"{rng.choice(['&#0;', '&#xD800;', chr(1), '&#1114112;'])}</td>",
                            rng.randint(1, 50)).encode()
    return text.replace("<table", "<table>" * rng.randint(2, 2000) + "<table", 1).encode()


# --- PDFs ------------------------------------------------------------------------------------------------


def mutate_pdf(rng: random.Random, data: bytes) -> bytes:
    """A change of the PDF's objects: a MediaBox holding a non-number, a page count that lies, a page
    tree that points at itself, an xref that lies, or damaged bytes."""
    choice = rng.randrange(6)
    if choice == 0:
        junk = rng.choice(["/Foo", "(a)", "null", "[1 2]", "<<>>", "1e999", "-0", "nan"])
        return re.sub(rb"/MediaBox\s*\[[^\]]*\]", f"/MediaBox [0 0 {junk} 842]".encode(), data,
                      count=rng.randint(1, 5))
    if choice == 1:
        return re.sub(rb"/Count\s+\d+", f"/Count {rng.choice([0, -1, 100_000, 2**31])}".encode(), data, count=1)
    if choice == 2:
        return re.sub(rb"/Kids\s*\[[^\]]*\]", rb"/Kids [1 0 R 1 0 R 1 0 R]", data, count=1)
    if choice == 3:
        return re.sub(rb"startxref\s+\d+", f"startxref {rng.randint(0, 10**9)}".encode(), data, count=1)
    if choice == 4:
        return re.sub(rb"/Length \d+", f"/Length {rng.randint(0, 10**7)}".encode(), data, count=rng.randint(1, 3))
    return flip_bytes(rng, data)


STRUCTURAL: dict[str, Callable[[random.Random, bytes], bytes]] = {
    ".json": mutate_json, ".docx": mutate_docx, ".html": mutate_html, ".pdf": mutate_pdf,
}


def mutations(count: int, seed: int = 11) -> Iterator[Hostile]:
    """`count` inputs, a quarter per format, each a seeded mutation (half structural, half of the bytes,
    sometimes both) of one of the format's real reports."""
    for i in range(count):
        suffix = FORMATS[i % len(FORMATS)]
        rng = random.Random(seed * 1_000_003 + i)
        seed_name, data = rng.choice(seeds(suffix))
        steps: list[str] = []
        for _ in range(1 if rng.random() < 0.8 else 2):
            mutation = STRUCTURAL[suffix] if rng.random() < 0.55 else rng.choice(BYTE_MUTATIONS)
            try:
                data = mutation(rng, data)
            except (ValueError, KeyError, zipfile.BadZipFile, zlib.error, UnicodeDecodeError, IndexError):
                data = flip_bytes(rng, data) if data else data  # the first step broke the structure
            steps.append(mutation.__name__)
        yield Hostile(f"{suffix[1:]}-{seed_name}-{'+'.join(steps)}-{seed}-{i}", suffix, data)


# --- the named cases of issue 11 -------------------------------------------------------------------------


def _json_case(change: Callable[[dict[str, Any]], None], *, ascii_only: bool = True) -> bytes:
    doc: dict[str, Any] = json.loads(JSON_SEEDS[1].read_bytes())
    change(doc)
    return json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8")


def _deep(doc: dict[str, Any]) -> None:
    doc["extension"] = _nest(900, {})


def _docx_with_document(xml: bytes, *, declared: int | None = None, extra: tuple[tuple[str, bytes], ...] = ()) -> bytes:
    """A real report's .docx with its document.xml (and optionally other parts) replaced; `declared`
    writes a false uncompressed size for document.xml into both headers."""
    data = seeds(".docx")[0][1]
    for name, body in ((("word/document.xml", xml), *extra)):
        data = _with_part(data, name, body)
    if declared is not None:
        raw = bytearray(data)
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            for match in re.finditer(re.escape(signature), bytes(raw)):
                name_at = match.start() + (30 if signature == b"PK\x03\x04" else 46)
                if bytes(raw[name_at : name_at + 17]) == b"word/document.xml":
                    struct.pack_into("<I", raw, match.start() + offset, declared)
        data = bytes(raw)
    return data


def _wrap_body(inner: bytes) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="' + W_NS.encode()
            + b'"><w:body>' + inner + b"</w:body></w:document>")


def _vmerge_rows(rows: int) -> bytes:
    first = b'<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/><w:gridSpan w:val="1000"/></w:tcPr><w:p/></w:tc></w:tr>'
    rest = b"<w:tr><w:tc><w:tcPr><w:vMerge/><w:gridSpan w:val=\"1000\"/></w:tcPr><w:p/></w:tc></w:tr>" * rows
    return _wrap_body(b"<w:tbl>" + first + rest + b"</w:tbl>")


def _html_spans(cells: int) -> bytes:
    cell = '<td rowspan="65534" colspan="1000">1</td>'
    rows = "".join(f"<tr>{cell * 30}</tr>" for _ in range(cells // 30))
    return f"<html><body><h1>某某区2024年政府信息公开工作年度报告</h1><table>{rows}</table></body></html>".encode()


def _pdf(pages: int, draw: Callable[[Any, int], None]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    for number in range(pages):
        draw(canvas, number)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _dense_text(canvas: Any, number: int) -> None:
    canvas.setFont("Helvetica", 3)
    for line in range(117):
        canvas.drawString(10, 830 - line * 7, "0123456789" * 10)


def _ruled(canvas: Any, number: int) -> None:
    for i in range(8000):
        x, y = 20 + (i % 80) * 7, 40 + (i // 80) * 7.5
        canvas.line(x, y, x + 6, y)
    canvas.drawString(72, 800, "2024")


def _many_pages(count: int) -> bytes:
    """A PDF of `count` pages sharing one empty content stream, written by hand (small and quick)."""
    kids = " ".join(f"{4 + i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Count {count} /Kids [{kids}] >>".encode(),
        b"<< /Length 0 >>\nstream\n\nendstream",
    ] + [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"] * count
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _mediabox(junk: str) -> bytes:
    data = PDF_SEEDS[0].read_bytes()
    return re.sub(rb"/MediaBox\s*\[[^\]]*\]", f"/MediaBox [0 0 {junk} 842]".encode(), data)


ANY_STATUS = -1  # read or refused, as long as it neither crashes nor hangs
# name → (suffix, how to make it, the exit status of check, words its message must hold)
NAMED: dict[str, tuple[str, Callable[[], bytes], int, tuple[str, ...]]] = {
    "json-exponent-beyond-decimal": (".json", lambda: _json_case(
        lambda d: d["cells"].update({"s3.new.natural": "@"})).replace(b'"@"', b"1e-99999999999999999999"),
        1, ()),
    "json-lone-surrogate": (".json", lambda: _json_case(lambda d: d.update(agency=d["agency"] + "\ud800")),
                            2, ("代理项",)),
    "json-nul-in-agency": (".json", lambda: _json_case(lambda d: d.update(agency="某\x00机关")), 2, ("控制字符",)),
    "json-title-256": (".json", lambda: _json_case(lambda d: d.update(title="标" * 256)), 2, ("标题过长",)),
    "json-nesting-900": (".json", lambda: _json_case(_deep), 2, ("嵌套",)),
    "docx-25m-empty-paragraphs": (".docx", lambda: _docx_with_document(_wrap_body(b"<w:p/>" * 25_000_000)),
                                  2, ("解压后",)),
    "docx-size-that-lies": (".docx", lambda: _docx_with_document(_wrap_body(b"<w:p/>" * 8_000_000), declared=1000),
                            2, ("已损坏",)),
    "docx-1m-elements": (".docx", lambda: _docx_with_document(_wrap_body(b"<w:p/>" * 1_000_000)), 2, ("元素",)),
    "docx-60k-entries": (".docx", lambda: _pack([("[Content_Types].xml", b"<Types/>"),
                                                  ("word/document.xml", _wrap_body(b"<w:p/>"))]
                                                 + [(f"word/media/{i}.bin", b"") for i in range(60_000)],
                                                 compression=zipfile.ZIP_STORED), 2, ("部分过多",)),
    "docx-styles-bomb": (".docx", lambda: _docx_with_document(
        _document_xml(seeds(".docx")[0][1]),
        extra=(("word/styles.xml", b"<w:styles>" + b"<w:style/>" * 10_000_000 + b"</w:styles>"),)), 0, ()),
    "docx-vmerge-1000-rows": (".docx", lambda: _docx_with_document(_vmerge_rows(1000)), 2, ("合并单元格",)),
    "docx-nesting": (".docx", lambda: _docx_with_document(_wrap_body(b"<w:sdt>" * 5000 + b"</w:sdt>" * 5000)),
                     2, ("嵌套",)),
    "html-huge-spans": (".html", lambda: _html_spans(30_000), 2, ("合并单元格",)),
    "html-200k-elements": (".html", lambda: b"<html><body>" + b"<p></p>" * 200_000 + b"</body></html>", 2, ("元素",)),
    "html-2m-characters": (".html", lambda: ("<html><body><p>" + "字" * 2_000_000 + "</p></body></html>").encode(),
                           2, ("文字超过",)),
    "html-nested-tables": (".html", lambda: b"<html><body>" + b"<table><tr><td>" * 20_000 + b"</body></html>",
                           ANY_STATUS, ()),
    "pdf-30-pages-of-11700-characters": (".pdf", lambda: _pdf(30, _dense_text), 2, ("字符",)),
    "pdf-ruled-10-pages": (".pdf", lambda: _pdf(10, _ruled), 2, ("线条",)),
    "pdf-100000-pages": (".pdf", lambda: _many_pages(100_000), 2, ("100000 页",)),
    "pdf-mediabox-name": (".pdf", lambda: _mediabox("/Foo"), ANY_STATUS, ()),
    "pdf-mediabox-string": (".pdf", lambda: _mediabox("(a)"), ANY_STATUS, ()),
}


def named_cases() -> list[Hostile]:
    return [Hostile(name, suffix, make()) for name, (suffix, make, _, _) in NAMED.items()]
