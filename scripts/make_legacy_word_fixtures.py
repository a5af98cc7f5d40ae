"""Regenerate the old Word fixtures of tests/data/office/: our DOCX exports saved as .doc by LibreOffice.

    .venv/bin/python scripts/make_legacy_word_fixtures.py [--soffice PATH] [--out FOLDER]

From the report files scripts/make_office_fixtures.py wrote (office-2021.json, office-2019.json) it writes

    office-<template>.docx   the DOCX export (blanks blank), kept so that the tests compare the .doc
                             with the very file it was made from
    office-2021.doc          that DOCX saved by LibreOffice as Word 97-2003 (.doc, "MS Word 97")
    office-2019.wps          the same for 2019, named .wps: WPS Writer's .wps is the same OLE2 compound
                             file holding Word's binary format, so a .doc named .wps is what a .wps
                             attachment on a government site is

and checks that each .doc/.wps reads back with the cells and texts of its DOCX. Needs LibreOffice
(libreoffice-writer-nogui); run it again when the export's layout or the reports change.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.reportfile import read_report_file  # noqa: E402
from exports.docx_export import write_docx  # noqa: E402
from reading.formats import read_with_log  # noqa: E402
from tests.docx_fixtures import cells_of  # noqa: E402

OUT = ROOT / "tests" / "data" / "office"
# template -> the suffix its binary Word copy is committed under
TARGETS = {"2021": ".doc", "2019": ".wps"}


def _to_doc(soffice: str, docx: Path, work: Path) -> Path:
    profile = (work / "profile").as_uri()
    result = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "doc:MS Word 97",
         "--outdir", str(work), str(docx)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    doc = work / f"{docx.stem}.doc"
    if result.returncode != 0 or not doc.is_file():
        raise SystemExit(f"LibreOffice could not convert {docx.name}:\n{result.stdout}{result.stderr}")
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--soffice", default=shutil.which("soffice") or shutil.which("libreoffice"))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not args.soffice:
        raise SystemExit("LibreOffice (soffice) not found: apt install libreoffice-writer-nogui, or pass --soffice")
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        for template_id, suffix in TARGETS.items():
            report = read_report_file(OUT / f"office-{template_id}.json")
            docx = args.out / f"office-{template_id}.docx"
            write_docx(report, docx, blank_as_zero=False)
            target = args.out / f"office-{template_id}{suffix}"
            shutil.copyfile(_to_doc(args.soffice, docx, work), target)
            expected, got = read_with_log(docx).report, read_with_log(target).report
            if cells_of(got) != cells_of(expected) or got.texts != expected.texts:
                raise SystemExit(f"{target.name} does not read as {docx.name} does")
            for path in (docx, target):
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                print(f"{shown}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
