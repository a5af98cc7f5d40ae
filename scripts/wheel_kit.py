"""Builds the offline installer kit (scripts/wheels.sh runs it): every wheel the app needs at run time for
Windows x64 and Linux x86_64 under CPython 3.11 and 3.12, the app's own wheel, and the install scripts, in
one flat folder (dist/wheels/ by default) that `pip install --no-index --find-links <folder>` installs from.

How: the runtime dependencies of pyproject.toml are pinned to the versions in the virtualenv running this
script (the versions the tests ran with), `pip download --only-binary=:all:` fetches them for each target,
and then each target's dependencies are walked again here with that target's environment markers (pip
evaluates markers for the machine it runs on, so it misses e.g. colorama, which click needs on Windows
only); what is missing is fetched (as a wheel, or built into a pure-Python wheel from an sdist). Wheels no
target needs (left from an earlier kit) are removed, so the folder can be made again in place.

With --ocr the kit also carries the optional extra `ocr` (onnxruntime and numpy, for reading scans: the
recognition model is inside the app's own wheel) for every target, and `install.sh --ocr` installs it.

Usage: python scripts/wheel_kit.py [--out DIR] [--ocr] [--verify-only]"""

from __future__ import annotations

import argparse
import email.parser
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.specifiers import SpecifierSet
from pip._vendor.packaging.tags import Tag, compatible_tags, cpython_tags
from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename
from pip._vendor.packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "packaging" / "wheels"
APP = "gov-disclosure-annual-report"
# The oldest glibc among the Linux systems offices run: 统信UOS 20 and 麒麟 V10 have 2.28 (as Debian 10).
LINUX_GLIBC_MAX = 28
LINUX_PLATFORMS = [
    *(f"manylinux_2_{minor}_x86_64" for minor in range(LINUX_GLIBC_MAX, 4, -1)),
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
    "linux_x86_64",
]


@dataclass(frozen=True)
class Target:
    label: str
    python: tuple[int, int]
    platforms: tuple[str, ...]
    markers: dict[str, str]

    @property
    def abi(self) -> str:
        return f"cp{self.python[0]}{self.python[1]}"

    def tags(self) -> set[Tag]:
        platforms = list(self.platforms)
        found = set(cpython_tags(self.python, abis=[self.abi], platforms=platforms))
        found |= set(compatible_tags(self.python, interpreter=self.abi, platforms=platforms))
        return found

    def environment(self, extra: str = "") -> dict[str, str]:
        major, minor = self.python
        return {
            **self.markers,
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "python_version": f"{major}.{minor}",
            "python_full_version": f"{major}.{minor}.0",
            "implementation_version": f"{major}.{minor}.0",
            "extra": extra,
        }

    def pip_args(self) -> list[str]:
        version = f"{self.python[0]}.{self.python[1]}"
        args = ["--only-binary=:all:", "--implementation", "cp", "--python-version", version]
        for abi in (self.abi, "abi3", "none"):
            args += ["--abi", abi]
        for platform in self.platforms:
            args += ["--platform", platform]
        return args


WINDOWS = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64",
           "platform_release": "10", "platform_version": "10.0"}
LINUX = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64",
         "platform_release": "", "platform_version": ""}
TARGETS = tuple(
    Target(f"{name} CPython {python[0]}.{python[1]}", python, platforms, markers)
    for name, platforms, markers in (
        ("Windows x64", ("win_amd64",), WINDOWS),
        ("Linux x86_64", tuple(LINUX_PLATFORMS), LINUX),
    )
    for python in ((3, 11), (3, 12))
)


class KitError(Exception):
    """A step failed; str() says which, in Chinese."""


def say(message: str) -> None:
    print(f"[wheels] {message}", file=sys.stderr, flush=True)


OCR_EXTRA = "ocr"


def runtime_requirements(*, ocr: bool = False) -> list[Requirement]:
    """pyproject.toml's dependencies, and with `ocr` those of the extra `ocr` too."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lines = list(data["project"]["dependencies"])
    if ocr:
        lines += data["project"]["optional-dependencies"][OCR_EXTRA]
    return [Requirement(line) for line in lines]


def _host_pins(requirements: list[Requirement]) -> dict[str, str]:
    """name -> version of every runtime dependency installed in this virtualenv (the ones tested)."""
    pins: dict[str, str] = {}
    queue = list(requirements)
    while queue:
        req = queue.pop()
        name = canonicalize_name(req.name)
        if name in pins or (req.marker is not None and not req.marker.evaluate({"extra": ""})):
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue
        pins[name] = dist.version
        for line in dist.requires or ():
            child = Requirement(line)
            if child.marker is None or any(child.marker.evaluate({"extra": e}) for e in ("", *req.extras)):
                queue.append(child)
    return pins


def _pip(*args: str, quiet: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", *args]
    if quiet:
        command.append("-q")
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _wheels(folder: Path) -> list[tuple[Path, str, Version, frozenset[Tag]]]:
    found: list[tuple[Path, str, Version, frozenset[Tag]]] = []
    for path in sorted(folder.glob("*.whl")):
        try:
            name, version, _build, tags = parse_wheel_filename(path.name)
        except Exception:  # a file that only looks like a wheel
            continue
        found.append((path, canonicalize_name(name), version, tags))
    return found


def _wheel_metadata(path: Path) -> email.message.Message:
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


def _pick(req: Requirement, target: Target, tags: set[Tag], folder: Path) -> Path | None:
    best: tuple[Version, Path] | None = None
    for path, name, version, wheel_tags in _wheels(folder):
        if name != canonicalize_name(req.name) or not (wheel_tags & tags):
            continue
        if not req.specifier.contains(version, prereleases=True):
            continue
        requires_python = _wheel_metadata(path).get("Requires-Python")
        if requires_python and not SpecifierSet(requires_python).contains(f"{target.python[0]}.{target.python[1]}.0"):
            continue
        if best is None or version > best[0]:
            best = (version, path)
    return best[1] if best else None


def _fetch(spec: str, target: Target, folder: Path, *, build: bool) -> bool:
    """Download one wheel for the target (`spec` as "name>=1,<2"); with `build`, make a pure-Python wheel
    when there is only an sdist. False when there is no such wheel."""
    say(f"补充下载 {spec}（{target.label}）")
    done = _pip("download", "--no-deps", *target.pip_args(), "--dest", str(folder), spec)
    if done.returncode == 0:
        return True
    if not build:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        built = _pip("wheel", "--no-deps", "--wheel-dir", tmp, spec)
        wheels = list(Path(tmp).glob("*.whl"))
        if built.returncode != 0 or not wheels:
            why = (done.stderr or built.stderr).strip()[-400:]
            raise KitError(f"无法取得 {spec} 的 wheel（{target.label}）：{why}")
        for wheel in wheels:
            if not wheel.name.endswith("-none-any.whl"):
                raise KitError(f"{spec} 只有源码包，且编译出的 {wheel.name} 只适用于本机，不能放进离线安装包")
            shutil.move(str(wheel), folder / wheel.name)
    return True


def closure(
    target: Target, folder: Path, *, fetch: bool, pins: dict[str, str] | None = None, ocr: bool = False
) -> set[Path]:
    """The wheels in `folder` that install the app (with its extra `ocr` when `ocr`) and its runtime
    dependencies on `target`: the `pins` version (name -> version, the ones tested here) where the target
    has a wheel of it, else the newest one; missing ones are downloaded when `fetch`, else a KitError
    names them."""
    pins = pins or {}
    tags = target.tags()
    chosen: dict[str, Path] = {}
    queue: list[tuple[Requirement, str]] = [(Requirement(f"{APP}[{OCR_EXTRA}]" if ocr else APP), "")]
    while queue:
        req, extra = queue.pop(0)
        if req.marker is not None and not req.marker.evaluate(target.environment(extra)):
            continue
        name = canonicalize_name(req.name)
        if name in chosen:
            continue
        wheel = None
        pin = pins.get(name)
        if pin is not None and req.specifier.contains(pin, prereleases=True):
            # The version tested here, when it has a wheel for the target.
            pinned = Requirement(f"{req.name}=={pin}")
            wheel = _pick(pinned, target, tags, folder)
            if wheel is None and fetch and _fetch(str(pinned), target, folder, build=False):
                wheel = _pick(pinned, target, tags, folder)
        if wheel is None:  # else the newest one for the target (e.g. a Qt built for an older glibc)
            wheel = _pick(req, target, tags, folder)
        if wheel is None and fetch and name != APP:
            _fetch(f"{req.name}{req.specifier}", target, folder, build=True)
            wheel = _pick(req, target, tags, folder)
        if wheel is None:
            raise KitError(f"离线安装包缺少 {req}（{target.label}）")
        chosen[name] = wheel
        for line in _wheel_metadata(wheel).get_all("Requires-Dist") or ():
            child = Requirement(line)
            for want in ("", *sorted(req.extras)):
                if child.marker is None or child.marker.evaluate(target.environment(want)):
                    queue.append((child, want))
                    break
    return set(chosen.values())


def _copy_source(into: Path) -> None:
    """The files the app's wheel is built from (the packages, main.py, pyproject.toml), away from the
    working tree so that setuptools' build/ and egg-info do not land in it."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setup = data.get("tool", {}).get("setuptools", {})
    tops = {name.split(".")[0] for name in setup.get("packages", [])}
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for top in sorted(tops):
        shutil.copytree(ROOT / top, into / top, ignore=ignore)
    for module in setup.get("py-modules", []):
        shutil.copy2(ROOT / f"{module}.py", into / f"{module}.py")
    shutil.copy2(ROOT / "pyproject.toml", into / "pyproject.toml")


def build_app_wheel(folder: Path) -> Path:
    for old in folder.glob("gov_disclosure_annual_report-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        source.mkdir()
        _copy_source(source)
        done = _pip("wheel", "--no-deps", "--wheel-dir", str(folder), str(source))
        if done.returncode != 0:
            raise KitError(f"生成本程序的 wheel 失败：{done.stderr.strip()[-600:]}")
    wheels = list(folder.glob("gov_disclosure_annual_report-*.whl"))
    if len(wheels) != 1:
        raise KitError("生成本程序的 wheel 失败：没有找到生成的文件")
    return wheels[0]


def _windows_text(text: str, *, bom: bool) -> bytes:
    body = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + body


def write_scripts(folder: Path, version: str) -> None:
    """install.sh (Linux), install.ps1 and install.bat (Windows) and 说明.txt from packaging/wheels/.
    PowerShell 5 reads a script without a BOM in the ANSI code page, so install.ps1 and 说明.txt get one;
    the Windows files get CRLF line ends."""
    for name in ("install.sh", "install.ps1", "install.bat", "说明.txt"):
        text = (TEMPLATES / name).read_text(encoding="utf-8").replace("@VERSION@", version)
        target = folder / name
        if name == "install.sh":
            target.write_bytes(text.encode("utf-8"))
            target.chmod(0o755)
        else:
            target.write_bytes(_windows_text(text, bom=name != "install.bat"))


def download(folder: Path, pins: dict[str, str], *, ocr: bool = False) -> None:
    requirements = runtime_requirements(ocr=ocr)
    with tempfile.TemporaryDirectory() as tmp:
        reqs = Path(tmp) / "requirements.txt"
        reqs.write_text("\n".join(str(r) for r in requirements) + "\n", encoding="utf-8")
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text("".join(f"{name}=={version}\n" for name, version in sorted(pins.items())), "utf-8")
        for target in TARGETS:
            say(f"下载 {target.label} 的 wheel …")
            done = _pip("download", *target.pip_args(), "--dest", str(folder), "-r", str(reqs), "-c", str(constraints))
            if done.returncode != 0:  # some tested version has no wheel for the target: the walk below fills in
                say(f"{target.label}：有的包没有 .venv 中那个版本的 wheel，逐个补充")


def verify(
    folder: Path, *, fetch: bool, pins: dict[str, str] | None = None, ocr: bool = False
) -> dict[str, set[Path]]:
    return {target.label: closure(target, folder, fetch=fetch, pins=pins, ocr=ocr) for target in TARGETS}


def prune(folder: Path, needed: set[Path]) -> list[Path]:
    removed = []
    for path, *_ in _wheels(folder):
        if path not in needed:
            path.unlink()
            removed.append(path)
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成离线安装包（wheel 套件）")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "wheels")
    parser.add_argument("--ocr", action="store_true", help="同时带上读取扫描件的组件（onnxruntime、numpy）")
    parser.add_argument("--verify-only", action="store_true", help="只检查已有的安装包是否齐全，不下载")
    args = parser.parse_args(argv)
    folder: Path = args.out.resolve()
    ocr: bool = args.ocr
    try:
        if args.verify_only:
            by_target = verify(folder, fetch=False, ocr=ocr)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            pins = _host_pins(runtime_requirements(ocr=ocr))
            if ocr and not {"onnxruntime", "numpy"} <= pins.keys():
                raise KitError("当前 .venv 中没有 onnxruntime 和 numpy（扫描件识别组件）：先运行 scripts/setup.sh")
            download(folder, pins, ocr=ocr)
            app = build_app_wheel(folder)
            say(f"本程序：{app.name}")
            by_target = verify(folder, fetch=True, pins=pins, ocr=ocr)
            needed = set().union(*by_target.values())
            for path in prune(folder, needed):
                say(f"删除不再需要的 {path.name}")
            version = str(parse_wheel_filename(app.name)[1])
            write_scripts(folder, version)
    except KitError as exc:
        say(f"错误：{exc}")
        return 1
    for label, wheels in by_target.items():
        qt = next((p.name.split("-")[1] for p in wheels if p.name.lower().startswith("pyside6_essentials-")), "?")
        ort = next((p.name.split("-")[1] for p in wheels if p.name.lower().startswith("onnxruntime-")), None)
        with_ocr = f"，扫描件识别 onnxruntime {ort}" if ort else ""
        say(f"{label}：{len(wheels)} 个 wheel 齐全（PySide6 {qt}{with_ocr}）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
