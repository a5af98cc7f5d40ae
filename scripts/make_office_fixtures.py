"""Regenerate tests/data/office/: our DOCX exports printed to PDF by LibreOffice, for the PDF reader's tests.

    .venv/bin/python scripts/make_office_fixtures.py [--soffice PATH] [--out FOLDER]

For each report of tests/test_import_pdf.py's office cases (`distinct_report("2021")` and
`distinct_report("2019")` of tests/pdf_fixtures.py), it writes

    office-<template>.json       the report file the PDFs were made from (what the tests compare with)
    office-<template>.pdf        the DOCX export (blanks blank) printed by LibreOffice with WenQuanYi Zen Hei
                                 (fonts-wqy-zenhei, what scripts/setup.sh installs and CI has)
    office-<template>-noto.pdf   the same printed with Noto CJK (fonts-noto-cjk, what many desktops have):
                                 other line heights move the page breaks (2019's 二 breaks between a
                                 block's header row and its row)

LibreOffice sees only the fonts of one variant: each conversion runs with a fontconfig file that
lists just the Chinese family's folder, DejaVu and LibreOffice's OpenSymbol. The embedded font
programs are then removed (70-100 KB of glyph outlines; the reader uses only the text layer, the
positions and the ruling lines, and the script checks that it reads the smaller file exactly as
LibreOffice's): about 15 KB a file is left. Needs LibreOffice
(libreoffice-writer-nogui), fonts-wqy-zenhei, fonts-noto-cjk and fonts-dejavu-core; run it again when
the export's layout or the reports change (tests/test_import_pdf.py says so when they differ).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfWriter  # noqa: E402
from pypdf.generic import NameObject  # noqa: E402

from core.reportfile import write_report_file  # noqa: E402
from exports.docx_export import write_docx  # noqa: E402
from reading.pdf_reader import extract_pdf  # noqa: E402
from tests.pdf_fixtures import distinct_report  # noqa: E402

OUT = ROOT / "tests" / "data" / "office"
TEMPLATES = ("2021", "2019")
FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# variant suffix -> a file of the Chinese family it prints with
VARIANTS = {"": "wqy-zenhei.ttc", "-noto": "NotoSansCJK-Regular.ttc"}
ALWAYS = ("DejaVuSans.ttf", "opens___.ttf")  # Latin text, LibreOffice's symbols


def _font_files() -> Iterator[Path]:
    for root in FONT_ROOTS:
        for folder, _subdirs, files in os.walk(root):
            for name in files:
                yield Path(folder) / name


def _folder_of(name: str) -> Path:
    for path in _font_files():
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


def _convert(soffice: str, docx: Path, out_dir: Path, fonts_conf: Path, work: Path) -> Path:
    profile = (work / f"profile-{fonts_conf.parent.name}").as_uri()
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf)}
    result = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(docx)],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    pdf = out_dir / f"{docx.stem}.pdf"
    if result.returncode != 0 or not pdf.is_file():
        raise SystemExit(f"LibreOffice could not convert {docx.name}:\n{result.stdout}{result.stderr}")
    return pdf


def _without_font_programs(source: Path, target: Path) -> None:
    """A copy of the PDF without its embedded fonts' glyph outlines; what the reader reads is kept."""
    writer = PdfWriter(clone_from=str(source))
    for page in writer.pages:
        resources: Any = page["/Resources"].get_object()
        fonts: Any = resources.get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            for part in (font, *(d.get_object() for d in font.get("/DescendantFonts", []))):
                descriptor = part.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        del descriptor[NameObject(key)]
    writer.compress_identical_objects()  # and drops the font programs no longer referred to
    with target.open("wb") as handle:
        writer.write(handle)
    if extract_pdf(target) != extract_pdf(source):
        raise SystemExit(f"{target.name}: without its font programs the PDF reads differently")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--soffice", default=shutil.which("soffice") or shutil.which("libreoffice"))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not args.soffice:
        raise SystemExit("LibreOffice (soffice) not found: apt install libreoffice-writer-nogui, or pass --soffice")
    always = [_folder_of(name) for name in ALWAYS]
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        for template_id in TEMPLATES:
            report = distinct_report(template_id)
            write_report_file(report, args.out / f"office-{template_id}.json")
            write_docx(report, work / f"office-{template_id}.docx", blank_as_zero=False)
        for suffix, font in VARIANTS.items():
            variant = work / f"fonts{suffix or '-wqy'}"
            variant.mkdir()
            conf = _fontconfig(variant, [_folder_of(font), *always])
            for template_id in TEMPLATES:
                pdf = _convert(args.soffice, work / f"office-{template_id}.docx", variant, conf, work)
                target = args.out / f"office-{template_id}{suffix}.pdf"
                _without_font_programs(pdf, target)
                print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                      f"{target.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
