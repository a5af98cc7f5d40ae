"""`main.py summary`: several units' real-shaped report files (Word, web page, report file) added up, the
totals compared cell by cell with a sum worked out here straight from the files' cells; who counts and
why not; the exit status; the 汇总表."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from core.reportfile import report_from_json
from core.template import load_template
from exports import ExportOptions, export_report
from tests.conftest import APPLICANT_COLUMNS, SAMPLES_DIR

ROOT = Path(__file__).resolve().parents[1]
PINGTAN_2022 = SAMPLES_DIR / "real" / "2022_pingtan.json"
PINGTAN_2019 = SAMPLES_DIR / "real" / "2019_pingtan.json"
OFFICE_2021 = SAMPLES_DIR / "office" / "office-2021.json"
S2_SUMMED = (
    "s2.regulations.issued", "s2.regulations.repealed", "s2.regulations.in_force",
    "s2.normative_docs.issued", "s2.normative_docs.repealed", "s2.normative_docs.in_force",
    "s2.licensing.decisions", "s2.penalty.decisions", "s2.coercion.decisions", "s2.fees.amount",
)
S4_PARTS = ("upheld", "corrected", "other", "pending")


def run(*args: str | Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOV_REPORT_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120,
    )


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _computed(cell_id: str) -> bool:
    return load_template("2021").cell(cell_id).computed


def variant(data: dict[str, Any], agency: str, times: int, *, blanks: int, printed_totals: bool) -> dict[str, Any]:
    """Another unit: every figure `times` as large (so every column still balances), the first `blanks`
    zero input cells left blank, and the printed totals kept or dropped."""
    out = copy.deepcopy(data)
    out["agency"] = agency
    out["title"] = f"{agency}2022年政府信息公开工作年度报告"
    out["signature"] = {**data.get("signature", {}), "organ": agency}
    cells: dict[str, Any] = {}
    left = blanks
    for cell_id, value in data["cells"].items():
        if _computed(cell_id) and not printed_totals:
            continue
        if value == 0 and left and not _computed(cell_id):
            cells[cell_id] = None
            left -= 1
        elif isinstance(value, int):
            cells[cell_id] = value * times
        else:
            cells[cell_id] = str(Decimal(str(value)) * times)
    assert left == 0
    out["cells"] = cells
    return out


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


# --- the sum worked out here, from the files' cells -------------------------------------------------


def _input(cells: dict[str, Any], cell_id: str) -> int | Decimal:
    value = cells.get(cell_id)
    if value is None:
        return 0
    return value if isinstance(value, int) else Decimal(str(value))


def unit_figures(cells: dict[str, Any]) -> dict[str, int | Decimal]:
    """Every cell of 三 and 四 (totals added up from the inputs, as the official table defines them)
    and the summed cells of 二, for one unit."""
    rows = [r.id for r in load_template("2021").s3.rows]
    outcomes = rows[rows.index("carried_over") + 1 : rows.index("total_processed")]
    out: dict[str, int | Decimal] = {c: _input(cells, c) for c in S2_SUMMED}
    for row in rows:
        for col in APPLICANT_COLUMNS:
            if row == "total_processed":
                out[f"s3.{row}.{col}"] = sum(_input(cells, f"s3.{r}.{col}") for r in outcomes)
            else:
                out[f"s3.{row}.{col}"] = _input(cells, f"s3.{row}.{col}")
        out[f"s3.{row}.total"] = sum(out[f"s3.{row}.{col}"] for col in APPLICANT_COLUMNS)
    for group in ("review", "suit_direct", "suit_after_review"):
        for part in S4_PARTS:
            out[f"s4.{group}.{part}"] = _input(cells, f"s4.{group}.{part}")
        out[f"s4.{group}.total"] = sum(out[f"s4.{group}.{p}"] for p in S4_PARTS)
    return out


def independent_totals(units: list[dict[str, Any]]) -> dict[str, int | Decimal]:
    figures = [unit_figures(u["cells"]) for u in units]
    return {cell: sum((f[cell] for f in figures), start=0) for cell in figures[0]}


def assert_same_totals(printed: dict[str, Any], expected: dict[str, int | Decimal]) -> None:
    assert set(printed) == set(expected)
    for cell, value in expected.items():
        shown = printed[cell]
        assert isinstance(shown, int | float) and not isinstance(shown, bool), cell
        if isinstance(value, int):
            assert isinstance(shown, int), (cell, shown)  # integral figures are JSON integers
        assert Decimal(str(shown)) == value, (cell, shown, value)


# --- the files ------------------------------------------------------------------------------------


@pytest.fixture
def region(tmp_path: Path) -> dict[str, Any]:
    """A folder of units' files: 平潭 as a Word document, a second unit as a web page (blank cells printed
    blank), a third as a report file without printed totals, one with errors, one of 2019, a second
    copy of the third unit, and a file that is not a report."""
    folder = tmp_path / "来文"
    (folder / "局委").mkdir(parents=True)
    pingtan = load(PINGTAN_2022)
    education = variant(pingtan, "某某区教育局", 2, blanks=12, printed_totals=True)
    health = variant(pingtan, "某某区卫生健康委员会", 3, blanks=30, printed_totals=False)
    broken = load(OFFICE_2021)  # its 三 does not balance
    broken.update(year=2022, agency="某某县市场监督管理局")
    export_report(report_from_json(pingtan), folder / "平潭.docx")
    export_report(report_from_json(education), folder / "局委" / "教育局.html", ExportOptions(blank_as_zero=False))
    write_json(folder / "局委" / "卫健委.json", health)
    write_json(folder / "局委" / "卫健委（重复）.json", health)
    write_json(folder / "市场监管局.json", broken)
    write_json(folder / "平潭2019.json", load(PINGTAN_2019))
    (folder / "损坏.docx").write_bytes(b"PK\x03\x04 not really a word document")
    return {"folder": folder, "counted": [pingtan, education, health], "broken": broken}


def units_by_file(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(u["file"]).name: u for u in result["units"]}


def test_totals_equal_an_independent_sum_cell_for_cell(region: dict[str, Any], tmp_path: Path) -> None:
    done = run("summary", region["folder"], "--json", data_dir=tmp_path / "data")
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr  # a file could not be read
    result = json.loads(done.stdout)
    assert result["template"] == "2021" and result["year"] == 2022
    assert_same_totals(result["totals"], independent_totals(region["counted"]))
    # The blanks are real: the web page and the report file left cells blank, and the sum still holds.
    assert sum(1 for v in region["counted"][2]["cells"].values() if v is None) == 30
    units = units_by_file(result)
    assert set(units) == {"平潭.docx", "教育局.html", "卫健委.json", "卫健委（重复）.json", "市场监管局.json",
                          "平潭2019.json", "损坏.docx"}
    for name in ("平潭.docx", "教育局.html", "卫健委.json"):
        assert units[name]["included"] is True and units[name]["errors"] == 0, units[name]
        assert units[name]["year"] == 2022 and units[name]["template"] == "2021"
    assert units["平潭.docx"]["agency"] == "平潭综合实验区"
    assert units["卫健委（重复）.json"]["included"] is False
    assert units["卫健委（重复）.json"]["excluded_reason"].startswith("重复")
    assert units["市场监管局.json"]["included"] is False and units["市场监管局.json"]["errors"] == 7
    assert units["市场监管局.json"]["excluded_reason"].startswith("有错误")
    assert units["平潭2019.json"]["included"] is False and units["平潭2019.json"]["year"] == 2019
    assert units["平潭2019.json"]["excluded_reason"].startswith("年度不同")
    assert units["损坏.docx"]["included"] is False and units["损坏.docx"]["error"]
    assert set(units["平潭.docx"]) >= {"file", "agency", "year", "template", "errors", "included"}
    assert result["findings"] == []
    assert "损坏.docx：无法读取" in done.stderr


def test_all_counts_the_units_with_errors(region: dict[str, Any], tmp_path: Path) -> None:
    (region["folder"] / "损坏.docx").unlink()
    done = run("summary", region["folder"], "--json", "--all", data_dir=tmp_path / "data")
    assert done.returncode == 1, done.stderr  # a unit with errors (now counted), and the totals inherit them
    result = json.loads(done.stdout)
    assert units_by_file(result)["市场监管局.json"]["included"] is True
    assert_same_totals(result["totals"], independent_totals([*region["counted"], region["broken"]]))
    assert any(f["rule"] == "S3-BALANCE" and f["severity"] == "error" for f in result["findings"])


def test_a_clean_region_exits_0_and_files_and_folders_mix(region: dict[str, Any], tmp_path: Path) -> None:
    folder = region["folder"]
    done = run("summary", folder / "平潭.docx", folder / "局委", "--json", data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    names = [Path(u["file"]).name for u in result["units"]]
    assert names == ["平潭.docx", "卫健委.json", "卫健委（重复）.json", "教育局.html"]
    assert_same_totals(result["totals"], independent_totals(region["counted"]))


def test_the_table_says_who_counts_and_why_not(region: dict[str, Any], tmp_path: Path) -> None:
    done = run("summary", region["folder"], data_dir=tmp_path / "data")
    assert done.returncode == 2
    out = done.stdout
    assert "汇总 2022 年度（2021版格式）：计入 3 个单位，未计入 3 个，无法读取 1 个" in out
    lines = out.splitlines()
    assert any(line.strip().startswith("计入") and "平潭.docx：平潭综合实验区 2022 年" in line for line in lines)
    assert any("市场监管局.json" in line and "未计入" in line and "有错误（7 个）" in line for line in lines)
    assert any("平潭2019.json" in line and "年度不同（2019 年，汇总的是 2022 年）" in line for line in lines)
    assert any("无法读取" in line and "损坏.docx" in line for line in lines)
    expected = independent_totals(region["counted"])
    assert f"一、本年新收政府信息公开申请数量：{expected['s3.new.total']}" in out
    assert f"行政复议·总计：{expected['s4.review.total']}" in out
    assert "汇总数检查：未发现问题" in out


def test_to_writes_the_summary_workbook(region: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "汇总.xlsx"
    done = run("summary", region["folder"], "--to", target, data_dir=tmp_path / "data")
    assert done.returncode == 2  # the unreadable file still says so
    assert f"已导出汇总表：{target}" in done.stderr
    book = load_workbook(target)
    sheet = book["三、收到和处理申请"]
    assert [sheet.cell(row=r, column=1).value for r in range(3, 7)] == [
        "平潭综合实验区", "某某区卫生健康委员会", "某某区教育局", "合计（3 个单位）",
    ]
    assert sheet.cell(row=6, column=2).value == "=SUM(B3:B5)"
    notes = ["|".join(str(v) for v in row if v is not None) for row in book["说明"].iter_rows(values_only=True)]
    (broken,) = [line for line in notes if "损坏.docx" in line]
    assert broken.startswith("1|") and broken.endswith(units_error(done.stderr, "损坏.docx"))


def units_error(stderr: str, name: str) -> str:
    """The reason the command gave on stderr for a file it could not read."""
    (line,) = [x for x in stderr.splitlines() if name in x and "无法读取" in x]
    return line.split("无法读取：", 1)[1]


def test_a_target_that_cannot_be_written_is_one_line(region: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o444)
    done = run("summary", region["folder"] / "平潭.docx", "--to", target, data_dir=tmp_path / "data")
    assert done.returncode == 2
    (line,) = [x for x in done.stderr.splitlines() if "汇总.xlsx" in x]
    assert line.startswith("无法写入「汇总.xlsx」：") and "只读" in line and line.endswith("原文件未改动")
    target.chmod(0o644)
    assert target.read_bytes() == b"old"
    wrong = run("summary", region["folder"] / "平潭.docx", "--to", tmp_path / "汇总.csv", data_dir=tmp_path / "data")
    assert wrong.returncode == 2 and "只能保存为 .xlsx" in wrong.stderr
    assert not (tmp_path / "汇总.csv").exists()


def test_help_names_the_exit_statuses(tmp_path: Path) -> None:
    done = run("summary", "--help", data_dir=tmp_path / "data")
    assert done.returncode == 0
    assert "退出码" in done.stdout and "--all" in done.stdout and ".docx" in done.stdout
    assert "summary FILE_OR_FOLDER" in run("--help", data_dir=tmp_path / "data").stdout
