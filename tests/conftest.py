"""Shared fixtures and report builders; Qt runs offscreen and no test touches the user's data folder."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Before any Qt import: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from core.report import Report
from core.storage import Store
from core.template import load_template
from exports.fonts import DEBIAN_FILES, ROLES, FontError, FontSet, find_fonts, probe, setup_font_dirs

# Real published reports (public documents) the tests read, kept with the tests.
SAMPLES_DIR = Path(__file__).resolve().parent / "data"
SEED_NAME = "seed-2020-tiexi.json"
PINGTAN_NAMES = ("real/2019_pingtan.json", "real/2022_pingtan.json")
SAMPLE_NAMES = (SEED_NAME, *PINGTAN_NAMES)

APPLICANT_COLUMNS = ("natural", "commercial", "research", "social", "legal", "other_org")
S3_COLUMNS = (*APPLICANT_COLUMNS, "total")

_CJK = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def _per_column(value: int | dict[str, int], col: str) -> int:
    return value[col] if isinstance(value, dict) else value


# Section 二 inputs of a full report (the 2021 values keep 现行有效 consistent with
# `previous_report`: last year's in_force + issued − repealed = this year's in_force).
S2_VALUES: dict[str, dict[str, object]] = {
    "2021": {
        "s2.regulations.issued": 2,
        "s2.regulations.repealed": 1,
        "s2.regulations.in_force": 10,
        "s2.normative_docs.issued": 5,
        "s2.normative_docs.repealed": 3,
        "s2.normative_docs.in_force": 40,
        "s2.licensing.decisions": 120,
        "s2.penalty.decisions": 31,
        "s2.coercion.decisions": 4,
        "s2.fees.amount": "12.5",
    },
    "2019": {
        "s2.regulations.new_made": 1,
        "s2.regulations.new_published": 1,
        "s2.regulations.total_published": 6,
        "s2.normative_docs.new_made": 7,
        "s2.normative_docs.new_published": 7,
        "s2.normative_docs.total_published": 52,
        "s2.licensing.prev_items": 396,
        "s2.licensing.change": -2,
        "s2.licensing.decisions": 181,
        "s2.other_services.prev_items": 10,
        "s2.other_services.change": 3,
        "s2.other_services.decisions": 153,
        "s2.penalty.prev_items": 2648,
        "s2.penalty.change": 0,
        "s2.penalty.decisions": 430,
        "s2.coercion.prev_items": 126,
        "s2.coercion.change": 0,
        "s2.coercion.decisions": 25,
        "s2.fees.prev_items": 35,
        "s2.fees.change": -1,
        "s2.procurement.items": 135,
        "s2.procurement.amount": "75394432.52元",
    },
}

S4_VALUES: dict[str, int] = {
    "s4.review.upheld": 1,
    "s4.review.corrected": 2,
    "s4.review.other": 0,
    "s4.review.pending": 1,
    "s4.suit_direct.upheld": 0,
    "s4.suit_direct.corrected": 1,
    "s4.suit_direct.other": 0,
    "s4.suit_direct.pending": 0,
    "s4.suit_after_review.upheld": 1,
    "s4.suit_after_review.corrected": 0,
    "s4.suit_after_review.other": 0,
    "s4.suit_after_review.pending": 2,
}

FULL_TEXTS = {
    "s1": "（一）主动公开。本机关按照《条例》要求主动公开政府信息。\n（二）依申请公开。依法办理申请。",
    "s2_note": "",
    "s5": "存在的主要问题是公开内容不够具体。下一步将加强培训。",
    "s6": "本年度未收取信息处理费。",
}


def full_report(
    template_id: str = "2021",
    year: int | None = None,
    *,
    carried_over: int | dict[str, int] = 1,
    carried_forward: int | dict[str, int] = 2,
    agency: str = "某某区人民政府办公室",
) -> Report:
    """A report with every input cell filled, every column of 三 balanced, all texts written
    and 信息处理费 reported: `validate` finds nothing in it."""
    template = load_template(template_id)
    if year is None:
        year = 2022 if template_id == "2021" else 2020
    report = Report(template_id=template_id, agency=agency, year=year)
    report.title = report.default_title()
    report.preamble = "本报告根据《中华人民共和国政府信息公开条例》编制。"
    report.texts = dict(FULL_TEXTS)
    for cell_id, value in S2_VALUES[template_id].items():
        report.set_cell(cell_id, value)
    outcome_ids = [r.id for r in template.s3.outcome_rows]
    for j, col in enumerate(APPLICANT_COLUMNS):
        processed = 0
        for i, row_id in enumerate(outcome_ids):
            value = (i + j) % 3
            report.set_cell(f"s3.{row_id}.{col}", value)
            processed += value
        carried = _per_column(carried_over, col)
        forward = _per_column(carried_forward, col)
        new = processed + forward - carried
        assert new >= 0, "choose carried_over/carried_forward so that 本年新收 stays ≥ 0"
        report.set_cell(f"s3.new.{col}", new)
        report.set_cell(f"s3.carried_over.{col}", carried)
        report.set_cell(f"s3.carried_forward.{col}", forward)
    for cell_id, value in S4_VALUES.items():
        report.set_cell(cell_id, value)
    report.signature.organ = agency
    report.signature.date = f"{year + 1}-01-20"
    return report


def previous_report(report: Report) -> Report:
    """Last year's report of the same agency that links up with `report`: its carried_forward
    equals this year's carried_over and (2021) its in_force leads to this year's in_force."""
    forward = {col: int(report.number(f"s3.carried_over.{col}")) for col in APPLICANT_COLUMNS}
    prev = full_report(
        "2021" if report.year - 1 >= 2021 else "2019",
        report.year - 1,
        carried_over=3,
        carried_forward=forward,
        agency=report.agency,
    )
    if prev.template_id == "2021" and report.template_id == "2021":
        for row in ("regulations", "normative_docs"):
            before = (
                report.number(f"s2.{row}.in_force")
                - report.number(f"s2.{row}.issued")
                + report.number(f"s2.{row}.repealed")
            )
            prev.set_cell(f"s2.{row}.in_force", before)
    return prev


@pytest.fixture
def samples_dir() -> Path:
    assert SAMPLES_DIR.is_dir(), f"samples not found at {SAMPLES_DIR}"
    return SAMPLES_DIR


@pytest.fixture
def seed_path(samples_dir: Path) -> Path:
    return samples_dir / SEED_NAME


@pytest.fixture
def full_report_2021() -> Report:
    return full_report("2021")


@pytest.fixture
def full_report_2019() -> Report:
    return full_report("2019")


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder (database, settings, caches), never the user's."""
    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("GOV_REPORT_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def qapp(qapp_args: list[str], qapp_cls: type, pytestconfig: pytest.Config) -> object:
    """pytest-qt's application, with Qt's Chinese for its standard dialogs as `ui.app.launch` loads it:
    UI tests see the buttons a user sees (是/否, 确定/取消)."""
    from PySide6.QtWidgets import QApplication

    from ui.qt_chinese import install_translations

    app = QApplication.instance()
    if app is None:
        app = qapp_cls(qapp_args)
        app.setApplicationName(pytestconfig.getini("qt_qapp_name"))
    install_translations(app)
    return app


@pytest.fixture
def batch(qtbot: Any) -> Any:
    """The 文件检查 window, shown (tests of the batch and of scans in it)."""
    from ui.batch_check import BatchCheckWindow

    window = BatchCheckWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


# --- tools some tests need ------------------------------------------------------------------------
# A test that needs a program or font the Python packages do not bring carries
# @pytest.mark.needs_tool("name", …). Where one is missing the test is skipped and says which and how
# to install it; where GOV_REPORT_REQUIRE_TOOLS=1 or CI=true (.ci/run sets the first) it fails
# instead, so CI never passes by skipping. scripts/setup.sh installs every one of them on Debian.

REQUIRE_TOOLS_ENV = "GOV_REPORT_REQUIRE_TOOLS"


def tools_required() -> bool:
    """Whether a missing tool fails the tests that need it (CI) rather than skipping them."""
    if os.environ.get(REQUIRE_TOOLS_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    return os.environ.get("CI", "").strip().lower() in ("1", "true")


def soffice_path() -> str | None:
    """LibreOffice's command line program, if installed (on PATH, or where Windows installs it)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None and os.name == "nt":
        default = Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "LibreOffice" / "program" / "soffice.exe"
        found = str(default) if default.is_file() else None
    return found


def libreoffice_to_pdf(
    docs: Iterable[Path], out_dir: Path, profile: Path, *, timeout: int = 300, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """`docs` printed to PDF by LibreOffice in one run, into `out_dir` (<stem>.pdf each), with its
    user profile in the folder `profile`. The caller checks the PDFs it expects; with `check` a failed
    run raises."""
    soffice = soffice_path()
    assert soffice is not None
    return subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
         "--outdir", str(out_dir), *map(str, docs)],
        capture_output=True, text=True, timeout=timeout, check=check,
    )


def _font_collection_problem() -> str | None:
    """None when one of the system fonts is a collection (.ttc) holding a second usable font."""
    try:
        fonts = find_fonts()
    except FontError as exc:
        return str(exc)
    for role in ("hei", "song", "fang"):
        font = fonts.font(role)
        if font.path.suffix.lower() == ".ttc":
            try:
                probe(font.path, 1 - min(font.index, 1))
            except FontError:
                continue
            return None
    return "none of the Chinese TrueType fonts found is a collection (.ttc) with a second usable font"


def _font_problem() -> str | None:
    try:
        find_fonts()
    except FontError as exc:
        return str(exc)
    return None


def _has_calc() -> bool:
    """Whether LibreOffice has its spreadsheet part (Calc's library beside soffice's program), which
    opening and recalculating an XLSX needs; Writer alone cannot."""
    soffice = soffice_path()
    if soffice is None:
        return False
    program = Path(os.path.realpath(soffice)).parent
    return any((program / name).exists() for name in ("libsclo.so", "sclo.dll", "libsclo.dylib"))


def _ocr_problem() -> str | None:
    """None when scans can be read: the OCR extra (onnxruntime, numpy) and the vendored model are there."""
    try:
        from reading.scan import OCR_MISSING, ocr_available
    except ImportError as exc:
        return f"reading.scan cannot be imported: {exc}"
    return None if ocr_available() else OCR_MISSING


def _setup_fonts_problem() -> str | None:
    try:
        setup_font_dirs()
    except FontError as exc:
        return str(exc)
    return None


# name -> (what is wrong without it, or None when it is there; what to install)
TOOLS: dict[str, tuple[Callable[[], str | None], str]] = {
    "soffice": (
        lambda: None if soffice_path() else "LibreOffice (soffice) is not on PATH",
        "LibreOffice Writer: apt install --no-install-recommends libreoffice-writer-nogui",
    ),
    "soffice_calc": (
        lambda: None if _has_calc() else "LibreOffice Calc is not installed (soffice cannot open spreadsheets)",
        "LibreOffice Calc: apt install --no-install-recommends libreoffice-calc-nogui",
    ),
    "pdffonts": (
        lambda: None if shutil.which("pdffonts") else "pdffonts is not on PATH",
        "poppler-utils: apt install poppler-utils",
    ),
    "cjk_font": (_font_problem, "a Chinese TrueType font: apt install fonts-wqy-zenhei"),
    "ocr": (_ocr_problem, "the OCR extra: pip install '.[ocr]' (onnxruntime, numpy; the model is in resources/ocr)"),
    "cjk_font_collection": (
        _font_collection_problem,
        "a Chinese TrueType collection with several fonts: apt install fonts-wqy-zenhei",
    ),
    # Exactly the fonts scripts/setup.sh installs, for tests that pin what each role is set in.
    "setup_fonts": (
        _setup_fonts_problem,
        f"the fonts scripts/setup.sh installs: apt install {' '.join(DEBIAN_FILES)}",
    ),
}


@functools.cache
def tool_problem(name: str) -> str | None:
    """Why `name` cannot be used on this machine, or None when it can."""
    return TOOLS[name][0]()


def require_tool(name: str) -> None:
    """Skip the running test when the tool is missing, or fail it where tools are required."""
    problem = tool_problem(name)
    if problem is None:
        return
    message = f"needs {name}: {problem} (install {TOOLS[name][1]}; scripts/setup.sh does)"
    if tools_required():
        pytest.fail(f"{message}; missing tools fail the tests where {REQUIRE_TOOLS_ENV}=1 or CI=true", pytrace=False)
    pytest.skip(message)


# Fixtures that need a tool: a test using one carries the tool's marker even when written without it.
FIXTURE_TOOLS = {"fonts": "cjk_font", "office_pdfs": "soffice", "scans": "ocr"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in item.iter_markers("needs_tool"):
            unknown = [name for name in marker.args if name not in TOOLS]
            if unknown or not marker.args:
                raise pytest.UsageError(
                    f"{item.nodeid}: needs_tool({', '.join(map(repr, marker.args))}) names no known tool "
                    f"(known: {', '.join(TOOLS)})"
                )
        named = {name for marker in item.iter_markers("needs_tool") for name in marker.args}
        for fixture, tool in FIXTURE_TOOLS.items():
            if fixture in getattr(item, "fixturenames", ()) and tool not in named:
                item.add_marker(pytest.mark.needs_tool(tool))


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("needs_tool"):
        for name in marker.args:
            require_tool(name)


def pytest_report_header(config: pytest.Config) -> list[str]:
    # Fonts are looked at only inside a test (their cache goes to the test's data folder, never the user's).
    found = ", ".join(f"{name} {'yes' if tool_problem(name) is None else 'NO'}" for name in ("soffice", "pdffonts"))
    mode = "fail" if tools_required() else "are skipped"
    return [f"tools: {found}; tests needing a missing tool {mode}"]


@pytest.fixture(scope="session")
def fonts() -> FontSet:
    """The machine's Chinese TrueType fonts (tests using them need the cjk_font tool)."""
    require_tool("cjk_font")
    return find_fonts()


@pytest.fixture(scope="session")
def scans(fonts: FontSet, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Scan-like files made from exported reports (tests/scan_fixtures.py), each read by OCR once a
    session (tests using it need the ocr tool)."""
    require_tool("ocr")
    from tests.scan_fixtures import ScanShelf

    return ScanShelf(fonts, tmp_path_factory.mktemp("scans"))


@pytest.fixture
def one_face(fonts: FontSet) -> Path:
    """A Chinese TrueType file of this machine whose first font is usable (the smallest one, as it is
    parsed once for every name): placed under a role's file name (`place_font`) it is that role's own
    face, so a test decides which roles have a face of their own."""
    for path in sorted({fonts.font(r).path for r in ROLES}, key=lambda p: p.stat().st_size):
        try:
            probe(path, 0)
        except FontError:
            continue
        return path
    pytest.skip("no Chinese font of this machine is usable as the first font of its file")


def place_font(source: Path, target: Path) -> Path:
    """The font file `source` under the name `target` (a hard link where the file system allows)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy(source, target)
    return target


# --- a database ---------------------------------------------------------------------------------


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the `store` fixture keeps its database (a test may open it again)."""
    return tmp_path / "reports.sqlite3"


@pytest.fixture
def store_seed() -> bool:
    """Whether `store` starts with the example report; a module overrides it to start empty."""
    return True


@pytest.fixture
def store(db_path: Path, store_seed: bool) -> Iterator[Store]:
    """A local database at `db_path`, closed after the test."""
    opened = Store(db_path, seed=store_seed)
    yield opened
    opened.close()


def open_window(qtbot: Any, db_path: Path) -> tuple[Any, Store]:
    """The main window on the database at `db_path`, shown and exposed (Qt is imported only here, so
    tests without a window do not load it)."""
    from ui.main_window import MainWindow

    store = Store(db_path)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, store


def open_only_report(qtbot: Any, db_path: Path) -> tuple[Any, Store, int]:
    """The main window with the database's one report (the example, on a new database) open."""
    window, store = open_window(qtbot, db_path)
    (summary,) = store.list_reports()
    window.open_report(summary.id)
    return window, store, summary.id
