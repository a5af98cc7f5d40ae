"""`main.py compare LAST THIS [--json]` on real-shaped files of any format, checked against an independent
reading of the report files' cells."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.reportfile import read_report_file, report_to_json
from exports import export_report
from tests.conftest import full_report, previous_report

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
REAL_2019, REAL_2022 = DATA / "real" / "2019_pingtan.json", DATA / "real" / "2022_pingtan.json"
OFFICE = DATA / "office"
# 2019's （六）其他处理 is these three rows of 2021 (report-format.md).
OTHER_SPLIT = ("other_no_correction", "other_unpaid_fee", "other_else")
COLUMNS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")


def run(*args: str | Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOV_REPORT_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120,
    )


def file_cells(path: Path) -> dict[str, int | float]:
    """The cells of a report file read with nothing but json and re: money strings made numbers,
    blank (null) inputs 0. The fixtures print every total, so no sum is needed."""
    out: dict[str, int | float] = {}
    for cell, value in json.loads(path.read_text("utf-8"))["cells"].items():
        if isinstance(value, str):
            number = float(re.sub(r"[^0-9.]", "", value))
            value = int(number) if number.is_integer() else number
        assert value is not None or not cell.endswith(".total"), f"{path.name}: {cell} printed blank"
        out[cell] = 0 if value is None else value
    return out


def check_changes(result: subprocess.CompletedProcess[str], last_json: Path, this_json: Path) -> dict[str, Any]:
    """The --json output is exactly changes and findings, and every change says what the files say."""
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    assert set(out) == {"changes", "findings"}
    last, this = file_cells(last_json), file_cells(this_json)
    changes = {c["cell"]: c for c in out["changes"]}
    assert len(changes) == len(out["changes"])
    for cell_id, change in changes.items():
        assert {"cell", "last", "this"} <= set(change)
        for year_value in (change["last"], change["this"]):
            assert year_value is None or (type(year_value) in (int, float) and not isinstance(year_value, bool))
        if cell_id.startswith("s3.other."):  # 2019's one row against 2021's three
            col = cell_id.rsplit(".", 1)[1]
            split, single = (this, last) if f"s3.other_else.{col}" in this else (last, this)
            summed = sum(split[f"s3.{row}.{col}"] for row in OTHER_SPLIT)
            assert (change["last"], change["this"]) == (
                (single[cell_id], summed) if split is this else (summed, single[cell_id])
            )
            continue
        assert change["last"] == last.get(cell_id), cell_id
        assert change["this"] == this.get(cell_id), cell_id
    # every cell of 二, 三 and 四 of either file is listed, changed or not (and nothing else)
    assert set(changes) == set(last) | set(this)
    assert all(cell.split(".")[0] in ("s2", "s3", "s4") for cell in changes)
    for finding in out["findings"]:
        assert set(finding) == {"rule", "severity", "message", "cells"}
        assert finding["rule"] in ("CARRY-OVER", "S2-IN-FORCE", "TEXT-COPIED")
    return out


def test_compare_json_of_real_reports_of_two_formats(tmp_path: Path) -> None:
    result = run("compare", REAL_2019, REAL_2022, "--json", data_dir=tmp_path)
    out = check_changes(result, REAL_2019, REAL_2022)
    changes = {c["cell"]: c for c in out["changes"]}
    assert changes["s3.new.total"] == {
        "cell": "s3.new.total", "label": changes["s3.new.total"]["label"], "last": 23, "this": 74, "flagged": True,
    }
    assert changes["s2.regulations.in_force"]["last"] is None  # 2019's format has no such column
    assert changes["s2.procurement.amount"]["this"] is None
    assert changes["s2.procurement.amount"]["last"] == 75394432.52
    # 2019 and 2022 are not consecutive years: one line says so, the comparison is still made
    (warning,) = result.stderr.splitlines()
    assert "2019" in warning and "2022" in warning and "仍然比较" in warning
    # the carried-over check is made against the older report all the same
    assert [f["cells"] for f in out["findings"] if f["rule"] == "CARRY-OVER"] == [["s3.carried_over.natural"]]


def test_compare_docx_exported_from_real_reports(tmp_path: Path) -> None:
    last_docx, this_docx = tmp_path / "2019.docx", tmp_path / "2022.docx"
    export_report(read_report_file(REAL_2019), last_docx)
    export_report(read_report_file(REAL_2022), this_docx)
    check_changes(run("compare", last_docx, this_docx, "--json", data_dir=tmp_path), REAL_2019, REAL_2022)


@pytest.mark.needs_tool("setup_fonts")
def test_compare_docx_with_pdf_exported_from_real_reports(tmp_path: Path) -> None:
    last_docx, this_pdf = tmp_path / "2019.docx", tmp_path / "2022.pdf"
    export_report(read_report_file(REAL_2019), last_docx)
    export_report(read_report_file(REAL_2022), this_pdf)
    check_changes(run("compare", last_docx, this_pdf, "--json", data_dir=tmp_path), REAL_2019, REAL_2022)


def test_compare_office_pdf_with_office_docx(tmp_path: Path) -> None:
    result = run("compare", OFFICE / "office-2019.pdf", OFFICE / "office-2021.docx", "--json", data_dir=tmp_path)
    out = check_changes(result, OFFICE / "office-2019.json", OFFICE / "office-2021.json")
    assert any(c["flagged"] for c in out["changes"])


def test_compare_text_shows_key_figures_flags_changed_cells_and_findings(tmp_path: Path) -> None:
    this = full_report("2021", 2024)
    last = previous_report(this)
    last.set_cell("s3.granted.natural", last.number("s3.granted.natural") + 40)
    last.set_cell("s3.new.natural", last.number("s3.new.natural") + 40)  # last year still balances
    last.texts["s5"] = this.texts["s5"] = "我单位将持续加强政府信息公开标准化规范化建设，完善公开目录，" * 5
    last_path, this_path = tmp_path / "last.json", tmp_path / "this.json"
    last_path.write_text(json.dumps(report_to_json(last), ensure_ascii=False), "utf-8")
    this_path.write_text(json.dumps(report_to_json(this), ensure_ascii=False), "utf-8")
    result = run("compare", last_path, this_path, data_dir=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"同比：{this.agency} 2023 年度")
    granted = next(line for line in lines if line.strip().startswith("予以公开"))
    assert granted.rstrip().endswith("⚠") and "−40" in granted
    assert any(line.startswith("  三「予以公开」自然人：") and line.endswith("⚠") for line in lines)
    assert any("TEXT-COPIED" in line and "五、存在的主要问题及改进情况" in line for line in lines)
    # an identical pair: nothing changed, nothing found
    result = run("compare", this_path, this_path, data_dir=tmp_path)
    assert "单元格均无变化" in result.stdout
    assert "与上年报告核对：" in result.stdout


def test_compare_warns_when_the_agencies_differ(tmp_path: Path) -> None:
    this = full_report("2021", 2024, agency="某某县教育局")
    last = previous_report(this)
    last.agency = "某某县卫生健康局"
    paths = []
    for name, report in (("last.json", last), ("this.json", this)):
        path = tmp_path / name
        path.write_text(json.dumps(report_to_json(report), ensure_ascii=False), "utf-8")
        paths.append(path)
    result = run("compare", *paths, "--json", data_dir=tmp_path)
    assert result.returncode == 0
    (warning,) = result.stderr.splitlines()
    assert "某某县教育局" in warning and "某某县卫生健康局" in warning
    assert json.loads(result.stdout)["findings"] == []


@pytest.mark.parametrize("broken", ["last", "this"])
def test_compare_an_unreadable_file_exits_2_with_one_line(tmp_path: Path, broken: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    args = (bad, REAL_2022) if broken == "last" else (REAL_2019, bad)
    result = run("compare", *args, "--json", data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{bad}：无法读取")


def test_help_names_compare(tmp_path: Path) -> None:
    result = run("--help", data_dir=tmp_path)
    assert "compare LAST THIS [--json]" in result.stdout
    result = run("compare", "--help", data_dir=tmp_path)
    assert result.returncode == 0 and "没有变化的也列出" in result.stdout
