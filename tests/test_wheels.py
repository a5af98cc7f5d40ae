"""The offline installer kit (scripts/wheels.sh): wheels for Windows x64 and Linux x86_64 × CPython 3.11 and
3.12, the app's own wheel and the install scripts; installed here into a fresh virtualenv with pip kept off
every index, it runs `check` and opens 帮助 → 关于.

The kit is built with --ocr (the extra `ocr`, onnxruntime and numpy, for reading scans): installed without
--ocr it must work as before, and `install.sh --ocr` on the same folder then adds scan reading.

Building the kit downloads about 300 MB, so those tests run only with WHEELS=1 (or BUNDLE=1); WHEELS_KIT=DIR
reuses a kit made before (with --ocr) instead of building one. The install script's refusals need no kit and
always run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALL_SH = ROOT / "packaging" / "wheels" / "install.sh"
SEED = ROOT / "tests" / "data" / "seed-2020-tiexi.json"
WANTED = os.environ.get("WHEELS") == "1" or os.environ.get("BUNDLE") == "1"
TEST_ONLY = ("pytest", "pytest_qt", "hypothesis", "pypdf", "pdfplumber", "pdfminer.six", "ruff", "mypy", "pyinstaller")


def _base_python(version: tuple[int, int]) -> Path | None:
    """A Python of that version outside any virtualenv (the interpreter this venv was made from, or one
    pyenv or the system has)."""
    base = Path(getattr(sys, "_base_executable", sys.executable))
    if sys.version_info[:2] == version and base.is_file():
        return base
    name = f"python{version[0]}.{version[1]}"
    candidates = [*sorted(Path.home().glob(f".pyenv/versions/{version[0]}.{version[1]}*/bin/{name}")),
                  Path("/usr/bin") / name, Path("/usr/local/bin") / name]
    return next((c for c in candidates if c.is_file()), None)


def _offline_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment with pip kept off every index and every configured folder but the kit, and no
    virtualenv on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_INDEX_URL="http://invalid.invalid/simple")
    env["GOV_REPORT_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def _fake_bin(tmp_path: Path, python3: str | None) -> Path:
    """A PATH folder with only `dirname` and, when given, a `python3` shell script."""
    folder = tmp_path / "bin"
    folder.mkdir()
    dirname = shutil.which("dirname")
    assert dirname is not None
    (folder / "dirname").symlink_to(dirname)
    if python3 is not None:
        (folder / "python3").write_text(f"#!/bin/sh\n{python3}\n", encoding="utf-8")
        (folder / "python3").chmod(0o755)
    return folder


def _run_install(target: Path, path: str, kit: Path = INSTALL_SH.parent) -> subprocess.CompletedProcess[str]:
    env = {"PATH": path, "HOME": str(target.parent), "LANG": "C.UTF-8"}
    return subprocess.run(["/bin/sh", str(kit / "install.sh"), str(target)], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


# --- the install script's refusals (no kit needed) ---------------------------------------------------


def test_install_says_when_there_is_no_python(tmp_path: Path) -> None:
    done = _run_install(tmp_path / "venv", str(_fake_bin(tmp_path, None)))
    assert done.returncode == 1
    assert done.stderr.startswith("错误：本机没有 Python 3。本安装包需要 Python 3.11 或 3.12")
    assert not (tmp_path / "venv").exists()


def test_install_with_ocr_says_when_the_kit_has_no_ocr_wheels(tmp_path: Path) -> None:
    """A kit made without --ocr: `install.sh --ocr` says so before it creates anything."""
    kit = tmp_path / "kit"
    kit.mkdir()
    shutil.copy2(INSTALL_SH, kit / "install.sh")
    (kit / "pypdfium2-4.30.0-py3-none-manylinux_2_17_x86_64.whl").write_bytes(b"")  # some other wheel
    target = tmp_path / "venv"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    done = subprocess.run(["/bin/sh", str(kit / "install.sh"), "--ocr", str(target)], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("错误：本安装包不含扫描件识别组件（onnxruntime）"), done.stderr
    assert not target.exists()


def test_install_says_when_python_is_too_old(tmp_path: Path) -> None:
    # Answers "3.9" when asked for its version, and fails the 3.11/3.12 test.
    fake = 'case "$2" in *print*) echo 3.9 ;; *) exit 1 ;; esac'
    done = _run_install(tmp_path / "venv", str(_fake_bin(tmp_path, fake)))
    assert done.returncode == 1
    assert done.stderr.startswith("错误：本机的 Python 版本是 3.9，本安装包需要 Python 3.11 或 3.12。")
    assert not (tmp_path / "venv").exists()


# --- the kit ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not WANTED:
        pytest.skip("builds the offline kit (downloads about 300 MB): run with WHEELS=1 or BUNDLE=1")
    reuse = os.environ.get("WHEELS_KIT")
    if reuse:
        return Path(reuse).resolve()
    out = tmp_path_factory.mktemp("kit") / "wheels"
    start = time.monotonic()
    done = subprocess.run(["bash", str(ROOT / "scripts" / "wheels.sh"), "--ocr", str(out)], capture_output=True,
                          text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    print(f"\nkit built in {time.monotonic() - start:.1f} s:\n{done.stderr[-600:]}")
    return out


def _wheel_names(kit: Path) -> list[str]:
    return sorted(p.name for p in kit.glob("*.whl"))


def test_kit_has_wheels_for_all_four_targets(kit: Path) -> None:
    names = _wheel_names(kit)

    def having(prefix: str, *parts: str) -> list[str]:
        return [n for n in names if n.lower().startswith(prefix) and all(p in n for p in parts)]

    assert having("pyside6_essentials-", "win_amd64") and having("pyside6_essentials-", "manylinux_2_28_x86_64")
    assert having("shiboken6-", "win_amd64") and having("shiboken6-", "manylinux")
    assert having("pypdfium2-", "py3-none-win_amd64") and having("pypdfium2-", "py3-none-manylinux")
    for compiled in ("lxml-", "pillow-", "charset_normalizer-"):  # built per Python version
        for abi in ("cp311-cp311", "cp312-cp312"):
            assert having(compiled, abi, "win_amd64"), (compiled, abi)
            assert having(compiled, abi, "manylinux"), (compiled, abi)
    # Linux wheels run on glibc 2.28 (统信UOS 20, 麒麟 V10): none needs a newer one.
    for name in names:
        for tag in name[:-4].split("-")[-1].split("."):
            if tag.startswith("manylinux_2_"):
                assert int(tag.split("_")[2]) <= 28, name
    for name in ("reportlab-", "openpyxl-", "python_docx-", "sqlite_utils-", "platformdirs-"):
        assert having(name, "none-any"), name
    # The extra `ocr` (--ocr): onnxruntime and numpy are built per Python version and platform.
    for compiled in ("onnxruntime-", "numpy-"):
        for abi in ("cp311-cp311", "cp312-cp312"):
            assert having(compiled, abi, "win_amd64"), (compiled, abi)
            assert having(compiled, abi, "manylinux"), (compiled, abi)
    assert not [n for n in names if n.lower().split("-")[0] in {t.replace(".", "_") for t in TEST_ONLY}]
    (app,) = having("gov_disclosure_annual_report-", "py3-none-any")
    with zipfile.ZipFile(kit / app) as wheel:
        entry = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
        assert "gov-report = main:main" in wheel.read(entry).decode()
        assert "main.py" in wheel.namelist() and "resources/templates/2021.json" in wheel.namelist()


def test_kit_install_scripts(kit: Path) -> None:
    ps1 = (kit / "install.ps1").read_bytes()
    assert ps1.startswith(b"\xef\xbb\xbf") and b"\r\n" in ps1 and b"\n" not in ps1.replace(b"\r\n", b"")
    assert b"--no-index --find-links $Kit" in ps1
    bat = (kit / "install.bat").read_bytes()
    assert bat.isascii() and b"install.ps1" in bat and b"\n" not in bat.replace(b"\r\n", b"")
    readme = (kit / "说明.txt").read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf") and b"install.bat" in readme
    sh = kit / "install.sh"
    assert os.access(sh, os.X_OK) and b"\r" not in sh.read_bytes() and b"@VERSION@" not in sh.read_bytes()


def test_kit_is_complete_for_every_target(kit: Path) -> None:
    """Each target's dependencies walked with its own markers (Windows ones too) are all in the folder."""
    from importlib.metadata import version

    for ocr in ([], ["--ocr"]):
        done = subprocess.run([sys.executable, str(ROOT / "scripts" / "wheel_kit.py"), "--verify-only", *ocr,
                               "--out", str(kit)], capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        for label in ("Windows x64 CPython 3.11", "Windows x64 CPython 3.12", "Linux x86_64 CPython 3.11",
                      "Linux x86_64 CPython 3.12"):
            line = next(line for line in done.stderr.splitlines() if f"{label}：" in line)
            assert "齐全" in line
            # The onnxruntime tested here, for every target, only when asked for the extra.
            assert (f"扫描件识别 onnxruntime {version('onnxruntime')}" in line) == bool(ocr), line


# The main window on a new database in the data folder, and 帮助 → 关于 over it (Linux gets an older Qt
# than the development venv when the newest has no wheel for glibc 2.28).
WINDOW = """
from PySide6.QtWidgets import QApplication
app = QApplication([])
from core.paths import default_db_path
from core.storage import Store
from ui.main_window import MainWindow
store = Store(default_db_path())
window = MainWindow(store)
window.show()
for _ in range(20):
    app.processEvents()
dialog = window.about()
app.processEvents()
print(dialog.text())
print("报告数", len(store.list_reports()))
window.close()
store.close()
"""


@pytest.mark.parametrize("version", [(3, 11), (3, 12)], ids=["cp311", "cp312"])
def test_install_offline_then_check(kit: Path, tmp_path: Path, version: tuple[int, int]) -> None:
    python = _base_python(version)
    if python is None:
        pytest.skip(f"no Python {version[0]}.{version[1]} outside a virtualenv on this machine")
    venv = tmp_path / "venv"
    env = _offline_env(tmp_path, PYTHON=str(python), HOME=str(tmp_path))
    start = time.monotonic()
    done = subprocess.run(["sh", str(kit / "install.sh"), str(venv)], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=900, check=False)
    took = time.monotonic() - start
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "安装完成" in done.stdout and f"{venv}/bin/gov-report" in done.stdout
    print(f"\ninstalled into a fresh Python {version[0]}.{version[1]} venv in {took:.1f} s")

    # The installed copy runs, not the source tree: outside it, with no virtualenv on PATH.
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import core, main; print(core.__file__)"], env=env,
                           cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert where.stdout.strip().startswith(str(venv)), where
    check = subprocess.run([str(venv / "bin" / "gov-report"), "check", str(SEED)], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=120, check=False)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "S3-BALANCE" in check.stdout

    docx = tmp_path / "out.docx"
    export = subprocess.run([str(venv / "bin" / "gov-report"), "export", str(SEED), "--to", str(docx)], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert export.returncode == 0 and zipfile.is_zipfile(docx), export.stderr

    about = subprocess.run([str(venv / "bin" / "python"), "-c", WINDOW], env={**env, "QT_QPA_PLATFORM": "offscreen"},
                           cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert about.returncode == 0, about.stderr
    assert "报告数 1" in about.stdout  # the example report, seeded into the new database
    from core.version import app_version

    assert f"版本：{app_version()}" in about.stdout
    assert f"运行方式：虚拟环境 {venv}" in about.stdout
    assert "程序文件：已安装的软件包" in about.stdout
    assert f"数据文件夹：{tmp_path / 'data'}" in about.stdout
    assert f"数据库：{tmp_path / 'data' / 'reports.sqlite3'}" in about.stdout

    # Again: the same venv is kept and nothing changes.
    again = subprocess.run(["sh", str(kit / "install.sh"), str(venv)], env=env, cwd=tmp_path, capture_output=True,
                           text=True, timeout=600, check=False)
    assert again.returncode == 0, again.stderr
    assert "创建虚拟环境" not in again.stdout and "Successfully installed" not in again.stdout

    # Installed without --ocr, a scan gets the one line saying what to install; `install.sh --ocr` on the
    # same folder adds the extra, and the page is read.
    from reading.scan import OCR_MISSING

    page = _scanned_page(tmp_path)
    refused = subprocess.run([str(venv / "bin" / "gov-report"), "check", page.name], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 2 and OCR_MISSING in refused.stdout + refused.stderr, refused
    ocr = subprocess.run(["sh", str(kit / "install.sh"), "--ocr", str(venv)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=900, check=False)
    assert ocr.returncode == 0, ocr.stdout[-2000:] + ocr.stderr[-2000:]
    assert "已安装扫描件识别" in ocr.stdout and "创建虚拟环境" not in ocr.stdout
    read = subprocess.run([str(venv / "bin" / "gov-report"), "check", page.name], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False)
    assert read.returncode in (0, 1), read.stdout + read.stderr
    assert "[读取] 扫描件共 1 页" in read.stdout and read.stderr == ""


def _scanned_page(folder: Path) -> Path:
    """Page 3 of the LibreOffice-printed 2021 report as a 150 dpi scan."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(ROOT / "tests" / "data" / "office" / "office-2021.pdf")
    try:
        image = pdf[2].render(scale=150 / 72).to_pil()
    finally:
        pdf.close()
    page = folder / "page.png"
    image.save(page, dpi=(150, 150))
    return page
