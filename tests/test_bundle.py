"""The self-contained bundle (scripts/bundle.sh, PyInstaller) and its Debian package, run as a clerk's
PC would run them: no virtualenv, no Python on PATH, a fresh home folder.

Runs only with BUNDLE=1 (building takes a minute and needs PyInstaller, which the test dependencies do
not include): `BUNDLE=1 .venv/bin/python -m pytest tests/test_bundle.py`. It builds dist/gov-report
first; with BUNDLE_SKIP_BUILD=1 it uses the dist/gov-report already there. The .deb round trip runs
where the tests run as root and dpkg is installed. The OCR flavour (`bundle.sh --ocr`, dist/gov-report-ocr)
is built by the tests that need it (`-k ocr` runs those)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
APP_DIR = ROOT / "dist" / "gov-report"
EXE = APP_DIR / "gov-report"
OCR_APP_DIR = ROOT / "dist" / "gov-report-ocr"
TITLE = "政府信息公开年报助手"

pytestmark = [
    pytest.mark.bundle,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("BUNDLE") != "1",
        reason="builds the PyInstaller bundle (a minute, needs PyInstaller): run with BUNDLE=1",
    ),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the bundle test runs on Linux"),
]


@pytest.fixture(scope="module")
def bundle() -> Path:
    """dist/gov-report, built by scripts/bundle.sh (or the existing one with BUNDLE_SKIP_BUILD=1)."""
    if os.environ.get("BUNDLE_SKIP_BUILD") == "1" and EXE.is_file():
        return APP_DIR
    start = time.monotonic()
    done = subprocess.run(["bash", str(ROOT / "scripts" / "bundle.sh")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    print(f"bundle built in {time.monotonic() - start:.0f} s: {done.stderr.strip().splitlines()[-1]}")
    assert EXE.is_file()
    return APP_DIR


def bare_env(home: Path, *, data_dir: Path | None = None) -> dict[str, str]:
    """An environment without the virtualenv: system PATH only, no PYTHONPATH, the given home folder."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    if data_dir is not None:
        env["GOV_REPORT_DATA_DIR"] = str(data_dir)
    return env


def run(exe: Path, *args: str, env: dict[str, str], cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(exe), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    target = tmp_path / "seed-2020-tiexi.json"
    shutil.copyfile(DATA / "seed-2020-tiexi.json", target)
    return target


def test_help_in_chinese(bundle: Path, home: Path, tmp_path: Path) -> None:
    done = run(bundle / "gov-report", "--help", env=bare_env(home, data_dir=tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: gov-report")
    assert "检查报告文件" in done.stdout and "导出报告" in done.stdout


def test_carries_the_version_for_the_about_box(bundle: Path) -> None:
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    # core/version.py looks for it there in a bundle (it has no package metadata).
    assert (bundle / "_internal" / "resources" / "version.txt").read_text("utf-8").strip() == version


def test_check_finds_the_seed_reports_imbalance(bundle: Path, home: Path, seed: Path, tmp_path: Path) -> None:
    done = run(bundle / "gov-report", "check", seed.name, env=bare_env(home, data_dir=tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "S3-BALANCE" in done.stdout
    assert "四平市铁西区" in done.stdout  # the report was read, names and all
    assert done.stderr == ""


def test_exports_pdf_docx_and_summary(bundle: Path, home: Path, seed: Path, tmp_path: Path) -> None:
    env = bare_env(home, data_dir=tmp_path / "data")
    exe = bundle / "gov-report"
    done = run(exe, "export", seed.name, "--to", "out.pdf", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pdf = (tmp_path / "out.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf  # the system's TrueType fonts, embedded (the bundle has none)
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "out.pdf").pages)
    assert "四平市铁西区" in text

    for suffix in (".docx", ".html"):
        done = run(exe, "export", seed.name, "--to", f"out{suffix}", env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.docx").read_bytes().startswith(b"PK")
    # Each export read back by the bundle's readers (python-docx and lxml, the HTML parser, pdfium).
    for name in ("out.docx", "out.html", "out.pdf"):
        done = run(exe, "check", name, env=env, cwd=tmp_path)
        assert done.returncode == 1 and "S3-BALANCE" in done.stdout, (name, done.stdout, done.stderr)
        assert "四平市铁西区" in done.stdout

    done = run(exe, "summary", seed.name, "--to", "sum.xlsx", env=env, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert (tmp_path / "sum.xlsx").read_bytes().startswith(b"PK")


@pytest.mark.needs_tool("soffice")
def test_reads_a_doc_through_libreoffice(bundle: Path, home: Path, tmp_path: Path) -> None:
    # LibreOffice runs with the system's libraries, not the bundle's (main.py restores LD_LIBRARY_PATH).
    doc = tmp_path / "office-2021.doc"
    shutil.copyfile(DATA / "office" / "office-2021.doc", doc)
    done = run(bundle / "gov-report", "check", doc.name, env=bare_env(home, data_dir=tmp_path / "data"),
               cwd=tmp_path, timeout=300)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "2023 年度报告" in done.stdout


def listing(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


@pytest.fixture
def read_only_copy(bundle: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the bundle nobody may write to (as an installed program is); made writable again after."""
    copy = tmp_path / "app"
    shutil.copytree(bundle, copy, symlinks=True)
    subprocess.run(["chmod", "-R", "a-w", str(copy)], check=True)
    yield copy
    subprocess.run(["chmod", "-R", "u+w", str(copy)], check=True)


def test_first_start_writes_only_to_the_users_folders(read_only_copy: Path, home: Path, seed: Path,
                                                       tmp_path: Path) -> None:
    before = listing(read_only_copy)
    env = bare_env(home)  # no GOV_REPORT_DATA_DIR: the user's data folder under HOME
    exe = read_only_copy / "gov-report"
    done = run(exe, "list", env=env, cwd=tmp_path)  # a first start: the database, with the example report
    assert done.returncode == 0, done.stderr
    assert "四平市铁西区" in done.stdout
    done = run(exe, "export", seed.name, "--to", "out.pdf", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert listing(read_only_copy) == before  # (root could have written: the listing is the check)
    data = home / ".local" / "share" / "gov-disclosure-annual-report"
    assert (data / "reports.sqlite3").is_file()


WINDOW_PROBE = r"""
"$EXE" "$@" >"$LOG" 2>&1 &
pid=$!
opened=""
for i in $(seq 1 120); do
    if xdotool search --name "$TITLE" >/dev/null 2>&1; then opened=yes; break; fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.25
done
[ -n "$opened" ] && echo "window: $(xdotool search --name "$TITLE" getwindowname %1)"
# The database opens once the window is up.
for i in $(seq 1 80); do [ -s "$DB" ] && break; sleep 0.25; done
[ -s "$DB" ] && echo "database: $DB"
kill $pid 2>/dev/null
wait $pid 2>/dev/null
exit 0
"""


@pytest.mark.skipif(shutil.which("xvfb-run") is None or shutil.which("xdotool") is None,
                    reason="needs xvfb-run and xdotool (apt-get install xvfb xdotool)")
def test_window_opens_under_xvfb(read_only_copy: Path, home: Path, tmp_path: Path) -> None:
    before = listing(read_only_copy)
    db = tmp_path / "tmp.sqlite3"
    env = bare_env(home) | {
        "EXE": str(read_only_copy / "gov-report"), "LOG": str(tmp_path / "app.log"), "TITLE": TITLE, "DB": str(db),
    }
    done = subprocess.run(
        ["xvfb-run", "-a", "sh", "-c", WINDOW_PROBE, "probe", "--db", str(db)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    log = (tmp_path / "app.log").read_text("utf-8", "replace")
    assert f"window: {TITLE}" in done.stdout, done.stdout + done.stderr + log
    assert f"database: {db}" in done.stdout, log
    assert "Traceback" not in log and "Could not load the Qt platform plugin" not in log, log
    assert listing(read_only_copy) == before


# --- the Debian package --------------------------------------------------------------------------


def needed_libraries(folder: Path) -> dict[str, set[str]]:
    """For every shared library an ELF file of the bundle needs: the files needing it."""
    needs: dict[str, set[str]] = {}
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        if not (".so" in path.name or path.name == "gov-report"):
            continue
        out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
        for name in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out):
            needs.setdefault(name, set()).add(str(path.relative_to(folder)))
    return needs


def control_field(deb: Path, field: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def deb(bundle: Path) -> Path:
    if shutil.which("dpkg-deb") is None:
        pytest.skip("needs dpkg-deb (Debian, Ubuntu, 统信UOS, 麒麟)")
    start = time.monotonic()
    env = os.environ | {"BUNDLE_SKIP_BUILD": "1"}
    done = subprocess.run(["bash", str(ROOT / "scripts" / "bundle.sh"), "--deb"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    print(f".deb built in {time.monotonic() - start:.0f} s: {done.stderr.strip().splitlines()[-1]}")
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    # This flavour's file: dist/ may hold the OCR one (…_ocr_amd64.deb) and the glibc 2.30 one too.
    found = ROOT / "dist" / f"gov-report_{version}_amd64.deb"
    assert found.is_file()
    return found


def undeclared_libraries(bundle: Path, deb: Path) -> list[str]:
    """The libraries some ELF file of `bundle` needs that are neither in it nor from a package the .deb
    depends on."""
    present = {path.name for path in bundle.rglob("*.so*")}
    depends = {
        name.strip().split(" ")[0]
        for group in control_field(deb, "Depends").split(",")
        for name in group.split("|")
    }
    missing: list[str] = []
    for name, users in sorted(needed_libraries(bundle).items()):
        if name in present:
            continue
        owner = subprocess.run(["dpkg", "-S", f"*/{name}"], capture_output=True, text=True)
        packages = {line.split(":")[0] for line in owner.stdout.splitlines() if ":" in line}
        packages = {p.split(",")[0].strip() for p in packages}
        if not packages:
            missing.append(f"{name} (needed by {sorted(users)[0]}): not installed here")
        elif not packages & depends:
            missing.append(f"{name} (needed by {sorted(users)[0]}): from {sorted(packages)}, not in Depends")
    return missing


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs dpkg")
def test_every_library_is_bundled_or_a_declared_dependency(bundle: Path, deb: Path) -> None:
    missing = undeclared_libraries(bundle, deb)
    assert not missing, "\n".join(missing)


@pytest.mark.skipif(shutil.which("dpkg") is None or not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="installs the .deb: needs root and dpkg")
def test_deb_installs_runs_from_path_and_removes_cleanly(deb: Path, home: Path, seed: Path, tmp_path: Path) -> None:
    assert control_field(deb, "Package").strip() == "gov-report"
    assert "fonts-wqy-zenhei" in control_field(deb, "Depends")
    done = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True)
    owned: list[Path] = []
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        files = subprocess.run(["dpkg", "-L", "gov-report"], capture_output=True, text=True, check=True).stdout
        owned = [Path(line) for line in files.splitlines() if line.strip()]
        assert Path("/usr/bin/gov-report") in owned and Path("/opt/gov-report/gov-report") in owned
        desktop = Path("/usr/share/applications/gov-report.desktop").read_text("utf-8")
        assert f"Name={TITLE}" in desktop and "Exec=gov-report" in desktop and "Icon=gov-report" in desktop
        assert Path("/usr/share/icons/hicolor/256x256/apps/gov-report.png").is_file()

        env = bare_env(home, data_dir=tmp_path / "data")
        done = subprocess.run(["gov-report", "--help"], env=env, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0 and "检查报告文件" in done.stdout, done.stderr
        done = subprocess.run(["gov-report", "check", seed.name], env=env, cwd=tmp_path, capture_output=True,
                              text=True)
        assert done.returncode == 1 and "S3-BALANCE" in done.stdout, done.stderr
    finally:
        removed = subprocess.run(["dpkg", "-r", "gov-report"], capture_output=True, text=True)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    status = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Status}", "gov-report"],
                            capture_output=True, text=True)
    assert status.returncode != 0 or status.stdout in ("", "not-installed"), status.stdout  # no record left
    left = [str(path) for path in owned if path.is_symlink() or (path.exists() and not path.is_dir())]
    assert not left, left
    assert not Path("/opt/gov-report").exists()
    assert not Path("/usr/bin/gov-report").exists() and not Path("/usr/bin/gov-report").is_symlink()


# --- the OCR flavour (bundle.sh --ocr): reads scanned reports -----------------------------------------


@pytest.fixture(scope="module")
def ocr_bundle() -> Path:
    """dist/gov-report-ocr, built by `scripts/bundle.sh --ocr` (or the existing one with BUNDLE_SKIP_BUILD=1)."""
    if os.environ.get("BUNDLE_SKIP_BUILD") == "1" and (OCR_APP_DIR / "gov-report").is_file():
        return OCR_APP_DIR
    start = time.monotonic()
    done = subprocess.run(["bash", str(ROOT / "scripts" / "bundle.sh"), "--ocr"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    print(f"OCR bundle built in {time.monotonic() - start:.0f} s: {done.stderr.strip().splitlines()[-1]}")
    return OCR_APP_DIR


@pytest.fixture
def scanned_page(tmp_path: Path) -> Path:
    """Page 3 of the LibreOffice-printed 2021 report (table 三's first rows) as a 150 dpi scan."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(DATA / "office" / "office-2021.pdf")
    try:
        image = pdf[2].render(scale=150 / 72).to_pil()
    finally:
        pdf.close()
    page = tmp_path / "page.png"
    image.save(page, dpi=(150, 150))
    return page


def _ocr_parts(folder: Path) -> list[str]:
    internal = folder / "_internal"
    return sorted(str(path.relative_to(internal)) for path in internal.iterdir()
                  if path.name.startswith(("numpy", "onnxruntime")))


def test_base_bundle_has_no_ocr_and_says_what_to_install(bundle: Path, home: Path, scanned_page: Path,
                                                         tmp_path: Path) -> None:
    from reading.scan import OCR_MISSING

    assert _ocr_parts(bundle) == []
    assert not (bundle / "_internal" / "resources" / "ocr").exists()
    done = run(bundle / "gov-report", "check", scanned_page.name, env=bare_env(home, data_dir=tmp_path / "data"),
               cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr  # cannot be read: the CLI's EXIT_UNREADABLE
    assert OCR_MISSING in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_ocr_bundle_reads_a_scanned_page_as_the_source_does(ocr_bundle: Path, home: Path, scanned_page: Path,
                                                            tmp_path: Path) -> None:
    import json

    internal = ocr_bundle / "_internal"
    assert (internal / "resources" / "ocr" / "ch_PP-OCRv4_rec_infer.onnx").is_file()
    assert (internal / "resources" / "ocr" / "NOTICE.txt").is_file()
    assert "numpy" in _ocr_parts(ocr_bundle) and "onnxruntime" in _ocr_parts(ocr_bundle)
    # onnxruntime's C library is for other languages' programs: left out (34 MB).
    assert not list(internal.rglob("libonnxruntime.so*"))

    env = bare_env(home, data_dir=tmp_path / "data")
    exe = ocr_bundle / "gov-report"
    start = time.monotonic()
    done = run(exe, "check", scanned_page.name, env=env, cwd=tmp_path, timeout=300)
    print(f"\ncheck of one 150 dpi page in the OCR bundle: {time.monotonic() - start:.1f} s")
    assert done.returncode in (0, 1), done.stdout + done.stderr  # the check's own codes, not an error
    assert done.stderr == ""  # not even onnxruntime's warnings
    assert "[读取] 扫描件共 1 页" in done.stdout

    # The bundle reads the page exactly as the source tree does (the same engine, model and libraries' results).
    done = run(exe, "export", scanned_page.name, "--to", "bundle.json", env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    source_env = os.environ | {"GOV_REPORT_DATA_DIR": str(tmp_path / "data-src")}

    def export_from_source(name: str, to: str) -> None:
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", name, "--to", to], env=source_env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr

    export_from_source(scanned_page.name, "source.json")
    from_bundle = json.loads((tmp_path / "bundle.json").read_text("utf-8"))["cells"]
    from_source = json.loads((tmp_path / "source.json").read_text("utf-8"))["cells"]
    assert from_bundle == from_source

    # Table 三's cells printed on this page, against the PDF's own text layer: the model in the bundle reads
    # the table's numbers (how many are right is the engine's measure, tests/test_scan_accuracy.py, and the
    # same as from source, asserted above).
    export_from_source(str(DATA / "office" / "office-2021.pdf"), "text.json")
    truth = json.loads((tmp_path / "text.json").read_text("utf-8"))["cells"]
    read = {cell: value for cell, value in from_bundle.items() if cell.startswith("s3.") and value is not None}
    right = [cell for cell, value in read.items() if truth.get(cell) == value]
    print(f"table 三: {len(read)} cells read from the page, {len(right)} as printed")
    assert right, read


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs dpkg")
def test_ocr_bundle_libraries_are_bundled_or_declared(ocr_bundle: Path, deb: Path) -> None:
    """onnxruntime and numpy bring their own libraries or use ones the .deb already depends on (the OCR
    flavour's .deb has the same Depends)."""
    missing = undeclared_libraries(ocr_bundle, deb)
    assert not missing, "\n".join(missing)
