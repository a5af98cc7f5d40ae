"""Regenerate tests/data/office/: our DOCX exports printed to PDF by LibreOffice, for the PDF reader's tests.

    .venv/bin/python scripts/make_office_fixtures.py [--soffice PATH] [--out FOLDER]

For each report of tests/test_import_pdf.py's office cases (`distinct_report("2021")` and
`distinct_report("2019")` of tests/pdf_fixtures.py), it writes

    office-<template>.json           the report file the PDFs were made from (what the tests compare with)
    office-<template>.pdf            the DOCX export (blanks blank) printed by LibreOffice with WenQuanYi
                                     Zen Hei (fonts-wqy-zenhei, what scripts/setup.sh installs and CI has);
                                     三 breaks across the page inside its merged labels
    office-<template>-s2break.pdf    the same DOCX kept together nowhere (as a table typed by hand) and
                                     with a larger bottom margin, so that 二 breaks between a
                                     block's header row (信息内容 | 采购项目数量 …) and its row (政府集中采购 …),
                                     as other fonts' line heights (Noto CJK) make it break on many desktops

LibreOffice closes a table at every page break (the bottom rule at the foot of the page, the top rule at
the head of the next, the rest of a cut merged cell printed empty), even where it splits a row; and
with rows allowed to split it still split none of 三's (tried with margins up to 240 pt larger). A
break left open, as Word leaves a row it splits, is drawn with reportlab in tests/test_import_pdf.py.

The margin that gives each break is found by trying: the bottom margin grows in steps of 3 pt until the
PDF LibreOffice prints breaks as wanted (checked on the PDF itself). What counts is where the page
breaks the tables, not how the page got there: Noto CJK is not needed (nor wanted on the machine: it
would change the fonts other tests print with).

LibreOffice sees only the fonts of one family: each conversion runs with a fontconfig file that lists
just WenQuanYi's folder, DejaVu and LibreOffice's OpenSymbol. The PDFs keep their embedded (subset)
fonts: without its glyph outlines PDFium cannot measure a run of one character and leaves it out of the
text. Needs LibreOffice (libreoffice-writer-nogui), fonts-wqy-zenhei and fonts-dejavu-core; run it again
when the export's layout or the reports change (tests/test_import_pdf.py says so when they differ).
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.report import Report  # noqa: E402
from core.reportfile import write_report_file  # noqa: E402
from exports.docx_export import write_docx  # noqa: E402
from exports.fonts import _font_files  # noqa: E402
from reading.pdf_reader import _read_pages  # noqa: E402
from tests.pdf_fixtures import distinct_report, squeeze  # noqa: E402

OUT = ROOT / "tests" / "data" / "office"
TEMPLATES = ("2021", "2019")
FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONTS = ("wqy-zenhei.ttc", "DejaVuSans.ttf", "opens___.ttf")  # Chinese, Latin text, LibreOffice's symbols
STEP_PT = 3  # how much the bottom margin grows between two tries
MAX_PT = 240
BATCH = 10  # documents converted by one LibreOffice run


def _folder_of(name: str) -> Path:
    for path in _font_files(FONT_ROOTS):
        if path.name == name:
            return path.parent
    raise SystemExit(f"font file {name} not found under {', '.join(map(str, FONT_ROOTS))}: install its package")


def _fontconfig(folder: Path, dirs: list[Path]) -> Path:
    conf = folder / "fonts.conf"
    lines = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
        "<fontconfig>",
        *(f"  <dir>{d}</dir>" for d in dirs),
        f"  <cachedir>{folder / 'cache'}</cachedir>",
        '  <include ignore_missing="yes">/etc/fonts/conf.d</include>',
        "</fontconfig>",
    ]
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


def _convert(soffice: str, docs: list[Path], out_dir: Path, fonts_conf: Path, work: Path) -> list[Path]:
    profile = (work / "profile").as_uri()
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf)}
    result = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
         "--outdir", str(out_dir), *map(str, docs)],
        capture_output=True, text=True, timeout=600, env=env, check=False,
    )
    pdfs = [out_dir / f"{doc.stem}.pdf" for doc in docs]
    missing = [pdf.name for pdf in pdfs if not pdf.is_file()]
    if result.returncode != 0 or missing:
        raise SystemExit(f"LibreOffice could not convert {missing}:\n{result.stdout}{result.stderr}")
    return pdfs


def _patched(source: Path, target: Path, *, extra_bottom_pt: int, rows_split: bool, keep: bool) -> None:
    """A copy of the DOCX with the bottom margin `extra_bottom_pt` larger; with `rows_split` its table
    rows may break across pages; without `keep` nothing is kept with the next paragraph (our export
    keeps a table that fits on a page in one piece, a table typed by hand breaks where the page ends)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                xml = re.sub(
                    r'(<w:pgMar\b[^>]*\bw:bottom=")(\d+)"',
                    lambda m: f'{m.group(1)}{int(m.group(2)) + 20 * extra_bottom_pt}"',
                    xml,
                )
                if rows_split:
                    xml = xml.replace("<w:cantSplit/>", "")
                if not keep:
                    xml = xml.replace("<w:keepNext/>", "")
                data = xml.encode("utf-8")
            zout.writestr(item, data)


def _breaks_after_header_row(pdf: Path, report: Report) -> bool:
    """二 breaks between a block's header row (信息内容 …) and the block's row: the last row of a table
    on one page starts with 信息内容, the first row of a table on the next with the row's label."""
    del report
    pages = _read_pages(pdf.read_bytes())
    for page, following in itertools.pairwise(pages):
        if not page.grids or not following.grids:
            continue
        last = page.grids[-1]
        first = min(following.grids, key=lambda g: g.top)
        bottom = last.row_cells(last.rows - 1)
        top = first.row_cells(0)
        if bottom and top and squeeze(bottom[0].text) == "信息内容" and squeeze(top[0].text) not in ("", "信息内容"):
            return True
    return False


# suffix -> rows may split, paragraphs kept with the next, what the print must show
VARIANTS: dict[str, tuple[bool, bool, Callable[[Path, Report], bool] | None]] = {
    "": (False, True, None),
    "-s2break": (False, False, _breaks_after_header_row),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--soffice", default=shutil.which("soffice") or shutil.which("libreoffice"))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not args.soffice:
        raise SystemExit("LibreOffice (soffice) not found: apt install libreoffice-writer-nogui, or pass --soffice")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        conf = _fontconfig(work, [_folder_of(name) for name in FONTS])
        for template_id in TEMPLATES:
            report = distinct_report(template_id)
            write_report_file(report, args.out / f"office-{template_id}.json")
            docx = work / f"office-{template_id}.docx"
            write_docx(report, docx, blank_as_zero=False)
            for suffix, (rows_split, keep, wanted) in VARIANTS.items():
                found = _search(args.soffice, docx, work, conf, report, (rows_split, keep), wanted, suffix)
                target = args.out / f"office-{template_id}{suffix}.pdf"
                shutil.copyfile(found, target)
                print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                      f"{target.stat().st_size // 1024} KB")


def _search(
    soffice: str, docx: Path, work: Path, conf: Path, report: Report, patch: tuple[bool, bool],
    wanted: Callable[[Path, Report], bool] | None, suffix: str,
) -> Path:
    """The PDF of the first bottom margin (growing by STEP_PT) whose print breaks as `wanted` says."""
    extras = list(range(0, MAX_PT + 1, STEP_PT)) if wanted is not None else [0]
    for start in range(0, len(extras), BATCH):
        folder = work / f"try{suffix}-{docx.stem}-{start}"
        folder.mkdir()
        docs = []
        for extra in extras[start:start + BATCH]:
            doc = folder / f"{docx.stem}-{extra:03d}.docx"
            _patched(docx, doc, extra_bottom_pt=extra, rows_split=patch[0], keep=patch[1])
            docs.append(doc)
        for pdf in _convert(soffice, docs, folder, conf, work):
            if wanted is None or wanted(pdf, report):
                return pdf
    raise SystemExit(f"no bottom margin up to {MAX_PT} pt breaks {docx.name}{suffix} as wanted")


if __name__ == "__main__":
    main()
