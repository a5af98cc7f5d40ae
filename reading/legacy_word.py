"""Old Word (.doc) and WPS Writer (.wps) reports, read by way of LibreOffice.

Government sites still attach many reports as .doc, and WPS saves its own .wps; both are OLE2
compound files holding Word's binary format. Nothing here parses that format: when LibreOffice is
installed it converts the file to .docx (headless, in a throw-away folder with a throw-away user
profile, so it never meets a LibreOffice the user has open, under a time limit) and the DOCX reader
reads the result. Without LibreOffice the file is refused with one line that says how to save it as
.docx in Word or WPS.

What a Word file is comes from its first bytes, not its name: a .doc renamed .docx is converted, a
.docx renamed .doc or .wps is read as the .docx it is, an RTF file named .doc (some systems save them
so) is converted too, and a web page named .doc goes to the HTML reader, as does the page inside a web
archive named .doc (Word's "single file web page", .mht, which office systems often hand out as .doc).

antiword and catdoc are not used: they give a .doc's text without its tables, and a report's numbers
are in its tables.
"""

from __future__ import annotations

import codecs
import contextlib
import email
import glob
import logging
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.reportfile import ReportFileError, file_error
from reading.document import ExtractedDocument

log = logging.getLogger(__name__)

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
WORD_SUFFIXES: tuple[str, ...] = (".docx", ".doc", ".wps")  # read by what their bytes are
LEGACY_SUFFIXES: tuple[str, ...] = (".doc", ".wps")
# As a clerk calls them (the import dialog's 文件类型).
LEGACY_NAMES: dict[str, str] = {".doc": "旧版 Word 文档", ".wps": "WPS 文字文档"}

# Where LibreOffice is, when the user's installation is in none of the usual places (or, for tests,
# nowhere: a path that does not exist means "not installed").
SOFFICE_ENV = "GOV_REPORT_SOFFICE"
# A report converts in 2-3 s; a first start of LibreOffice on a slow Windows machine takes longer.
TIME_LIMIT = 60.0
SAVE_AS_DOCX = "请在 Word 或 WPS 中打开它，点 文件 → 另存为 → Word 文档 (*.docx)，再导入保存的 .docx"
# Larger compound files are not looked into (LibreOffice still converts them).
MAX_INSPECTED = 64 * 1024 * 1024

# LibreOffice settings of the throw-away profile: no macros, no linked content fetched from anywhere
# (images or OLE links pointing at the network or other files), links and fields left as saved.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop>\
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop>\
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update">\
<prop oor:name="Link" oor:op="fuse"><value>0</value></prop>\
<prop oor:name="Field" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


# --- what the file is ------------------------------------------------------------------------------

ZIP, OLE, RTF, HTML, MHT, EMPTY, OTHER = "zip", "ole", "rtf", "html", "mht", "empty", "other"
_MIME = re.compile(rb"^(?:From:[^\n]*\n\s*)?MIME-Version\s*:", re.IGNORECASE)
# Charsets a web archive names for Chinese pages, all read by Python's GB18030 decoder (their superset).
_GB_CHARSETS = frozenset({"gb2312", "gbk", "x-gbk", "gb18030", "cp936", "ms936", "windows-936", "euc-cn"})


def sniff(path: Path) -> str:
    """What the file's first bytes say it is: ZIP (.docx and other Office Open XML), OLE (compound
    file: .doc, .wps, .xls, encrypted Office files), RTF, HTML, MHT (a web archive), EMPTY or OTHER."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise file_error(exc) from None
    if not head:
        return EMPTY
    if head.startswith(OLE_SIGNATURE):
        return OLE
    if head.startswith(ZIP_SIGNATURES):
        return ZIP
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{\\rtf"):
        return RTF
    if _MIME.match(text):
        return MHT
    if re.match(rb"<(!doctype\s+html|html|\?xml[^>]*>\s*<html)", text, re.IGNORECASE) or re.search(
        rb"<html[\s>]", head, re.IGNORECASE
    ):
        return HTML
    return OTHER


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    start: int
    size: int


_FREE_LIMIT = 0xFFFFFFFA  # sector numbers from here on mean "end of chain", "free" and the like


class _Compound:
    """Just enough of an OLE2 compound file (MS-CFB) to list its streams and read a stream's first bytes."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(OLE_SIGNATURE):
            raise ValueError("no compound file header")
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise ValueError("unusual sector sizes")
        self.data = data
        self.size = 1 << shift
        fat_count, self.dir_start = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, self.minifat_start, _minifat_count, difat_start, difat_count = struct.unpack_from(
            "<IIIII", data, 0x38
        )
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sector, seen = difat_start, 0
        while sector < _FREE_LIMIT and seen < min(difat_count, len(data) // self.size):
            values = self._sector_ints(sector)
            difat.extend(values[:-1])
            sector, seen = values[-1], seen + 1
        self.fat: list[int] = []
        for sector in difat[: min(fat_count, len(data) // self.size)]:
            if sector >= _FREE_LIMIT:
                break
            self.fat.extend(self._sector_ints(sector))
        if not self.fat:
            raise ValueError("no allocation table")
        self.entries = self._directory()
        if not any(e.kind == 5 for e in self.entries):
            raise ValueError("no root entry")

    def _sector(self, number: int) -> bytes:
        offset = (number + 1) * self.size
        block = self.data[offset : offset + self.size]
        if len(block) < self.size:
            raise ValueError("sector beyond the end of the file")
        return block

    def _sector_ints(self, number: int) -> tuple[int, ...]:
        return struct.unpack(f"<{self.size // 4}I", self._sector(number))

    def _chain(self, start: int, fat: list[int], limit: int) -> list[int]:
        chain: list[int] = []
        seen: set[int] = set()
        number = start
        while number < _FREE_LIMIT and number < len(fat) and number not in seen and len(chain) < limit:
            seen.add(number)
            chain.append(number)
            number = fat[number]
        return chain

    def _directory(self) -> list[_Entry]:
        entries: list[_Entry] = []
        for number in self._chain(self.dir_start, self.fat, len(self.data) // self.size):
            block = self._sector(number)
            for offset in range(0, self.size, 128):
                raw = block[offset : offset + 128]
                name_length = struct.unpack_from("<H", raw, 0x40)[0]
                kind = raw[0x42]
                if kind not in (1, 2, 5) or not 2 <= name_length <= 64:
                    continue
                name = raw[: name_length - 2].decode("utf-16-le", "replace")
                start, size = struct.unpack_from("<IQ", raw, 0x74)
                if self.size == 512:
                    size &= 0xFFFFFFFF  # version 3 files may leave garbage in the high half
                entries.append(_Entry(name, kind, start, size))
        return entries

    def names(self) -> set[str]:
        return {e.name for e in self.entries if e.kind == 2}

    def head(self, name: str, count: int) -> bytes:
        """The first `count` (≤ 64) bytes of a stream, or b"" when it cannot be found or read."""
        entry = next((e for e in self.entries if e.kind == 2 and e.name == name), None)
        if entry is None or entry.size < count:
            return b""
        if entry.size >= self.cutoff:
            return self._sector(entry.start)[:count]
        # A small stream lives in the mini stream (64-byte sectors inside the root entry's chain).
        root = next(e for e in self.entries if e.kind == 5)
        container = self._chain(root.start, self.fat, len(self.data) // self.size)
        position = entry.start * 64
        index, within = divmod(position, self.size)
        if index >= len(container):
            return b""
        return self._sector(container[index])[within : within + count]


@dataclass(frozen=True)
class OleContent:
    """What a compound file holds, as far as reading a report is concerned."""

    word: bool = False  # a WordDocument stream (Word 97-2003 .doc, WPS .wps)
    word_encrypted: bool = False  # ... whose FIB says it is encrypted (a password to open)
    encrypted_package: bool = False  # an encrypted Office Open XML file (.docx with a password)
    excel: bool = False
    powerpoint: bool = False
    readable: bool = True  # False: the compound file's structure could not be read


def inspect_ole(path: Path) -> OleContent:
    """Which of the streams that matter a compound file holds; readable=False when damaged."""
    try:
        if path.stat().st_size > MAX_INSPECTED:
            return OleContent(readable=False)
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(exc) from None
    try:
        compound = _Compound(data)
        names = compound.names()
        fib = compound.head("WordDocument", 12) if "WordDocument" in names else b""
    except (ValueError, struct.error, IndexError):
        return OleContent(readable=False)
    # FibBase: wIdent 0xA5EC, then at offset 10 the flags whose bit 8 is fEncrypted.
    encrypted = len(fib) == 12 and struct.unpack_from("<H", fib, 0)[0] == 0xA5EC and bool(
        struct.unpack_from("<H", fib, 10)[0] & 0x0100
    )
    return OleContent(
        word="WordDocument" in names,
        word_encrypted=encrypted,
        encrypted_package="EncryptedPackage" in names,
        excel=bool(names & {"Workbook", "Book"}),
        powerpoint="PowerPoint Document" in names,
    )


def web_archive_page(path: Path) -> bytes:
    """The page inside a web archive (MHT): its first text/html part, as UTF-8 with a byte order mark
    when the archive names the part's charset (else as stored, for the HTML reader's own decoding)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(exc) from None
    message = email.message_from_bytes(data)
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload.strip():
            continue
        charset = (part.get_content_charset() or "").lower()
        try:
            text = payload.decode("gb18030" if charset in _GB_CHARSETS else charset) if charset else None
        except (LookupError, UnicodeDecodeError):
            text = None
        return payload if text is None else codecs.BOM_UTF8 + text.encode("utf-8")
    raise ReportFileError("这是网页存档（MHT），其中却没有网页：文件已损坏或不完整")


def _read_web_archive(path: Path) -> ExtractedDocument:
    from reading.html_reader import extract_report_html

    folder = Path(tempfile.mkdtemp(prefix="gov-report-mht-"))
    try:
        page = folder / "page.html"
        page.write_bytes(web_archive_page(path))
        return extract_report_html(page)
    finally:
        _remove(folder)


# --- finding LibreOffice ---------------------------------------------------------------------------


def _version_key(path: str) -> tuple[int, ...]:
    """/opt/libreoffice24.8/… sorts after /opt/libreoffice7.6/…"""
    return tuple(int(n) for n in re.findall(r"\d+", path))


def install_places(os_name: str = os.name, environ: Mapping[str, str] = os.environ) -> list[str]:
    """Where LibreOffice's soffice is when installed the usual way (patterns may hold "*")."""
    if os_name == "nt":
        bases: list[str] = []
        for variable in ("PROGRAMFILES", "PROGRAMW6432", "PROGRAMFILES(X86)"):
            value = environ.get(variable, "")
            if value and value not in bases:
                bases.append(value)
        for default in (r"C:\Program Files", r"C:\Program Files (x86)"):
            if default not in bases:
                bases.append(default)
        places = []
        for base in bases:
            places.append(os.path.join(base, "LibreOffice", "program", "soffice.exe"))
            places.append(os.path.join(base, "LibreOffice*", "program", "soffice.exe"))
        return places
    return [
        "/usr/lib/libreoffice/program/soffice",
        "/usr/lib64/libreoffice/program/soffice",
        "/opt/libreoffice*/program/soffice",
        "/usr/local/lib/libreoffice/program/soffice",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ]


def _console_program(found: str) -> str:
    """On Windows, soffice.com beside soffice.exe: the console launcher, which waits for the conversion."""
    if found.lower().endswith("soffice.exe"):
        console = found[: -len(".exe")] + ".com"
        if os.path.isfile(console):
            return console
    return found


def find_soffice(places: list[str] | None = None) -> str | None:
    """LibreOffice's soffice: the one GOV_REPORT_SOFFICE names (and only it, when set), else on PATH,
    else in the usual install places (the newest version first); None when not installed."""
    named = os.environ.get(SOFFICE_ENV, "").strip()
    if named:
        found = shutil.which(named) or (named if os.path.isfile(named) else None)
        return _console_program(found) if found else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return _console_program(found)
    for place in install_places() if places is None else places:
        for candidate in sorted(glob.glob(place), key=_version_key, reverse=True):
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return _console_program(candidate)
    return None


# --- converting -------------------------------------------------------------------------------------


_NO_WINDOW: int = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console window flashing up


def _kill(process: subprocess.Popen[bytes]) -> None:
    """End LibreOffice and whatever it started (soffice starts soffice.bin), then reap it."""
    if os.name == "nt":
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(process.pid)],
                capture_output=True, timeout=15, creationflags=_NO_WINDOW,
            )
    else:
        # Its own session's process group: the leader is not reaped yet, so the group id is still ours.
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        process.communicate(timeout=15)


def _remove(folder: Path) -> None:
    """Remove the conversion's folder; on Windows a killed LibreOffice may hold a file a moment longer."""
    for attempt in range(10):
        try:
            shutil.rmtree(folder)
            return
        except FileNotFoundError:
            return
        except OSError:
            if attempt == 9:
                log.warning("could not remove %s", folder)
                return
            time.sleep(0.2)


def _environment() -> dict[str, str]:
    # Our interpreter's settings are not LibreOffice's (it may bring its own Python).
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}


@dataclass(frozen=True)
class _Source:
    """How a file is spoken of in messages and the import log."""

    what: str  # 这份旧版 Word 文档（.doc）
    kind: str  # 旧版 Word 文档（.doc）
    copy_suffix: str  # what the copy LibreOffice opens is called


def _convert(
    path: Path, source: _Source, soffice: str, time_limit: float, *, damaged: bool = False
) -> ExtractedDocument:
    """The file converted to .docx by LibreOffice in a throw-away folder (removed afterwards, also
    after a failure, a time-out or an interruption), read by the DOCX reader. `damaged`: the compound
    file's structure could not be read (LibreOffice is still tried: it repairs some such files)."""
    from reading.docx_reader import extract_docx

    folder = Path(tempfile.mkdtemp(prefix="gov-report-doc-"))
    try:
        # LibreOffice opens a copy with a plain name: no lock file beside the user's file, no
        # trouble with the original's name on a command line.
        copy = folder / f"source{source.copy_suffix}"
        try:
            shutil.copyfile(path, copy)
        except OSError as exc:
            raise file_error(exc) from None
        profile = folder / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
        out = folder / "out"
        command = [
            soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
            "--norestore", "--nodefault", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML",
            "--outdir", str(out), str(copy),
        ]
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                cwd=folder, env=_environment(), creationflags=_NO_WINDOW, start_new_session=os.name != "nt",
            )
        except OSError as exc:
            raise ReportFileError(
                f"无法启动 LibreOffice（{soffice}）：{exc.strerror or exc}；{SAVE_AS_DOCX}"
            ) from None
        try:
            _stdout, stderr = process.communicate(timeout=time_limit)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise ReportFileError(
                f"LibreOffice 在 {time_limit:g} 秒内没有转换完{source.what}，已停止转换；{SAVE_AS_DOCX}"
            ) from None
        except BaseException:  # interrupted (Ctrl+C, a closing program): no LibreOffice left running
            _kill(process)
            raise
        log.info("LibreOffice converted %s in %.1f s (exit %s)", path.name, time.monotonic() - started,
                 process.returncode)
        converted = out / "source.docx"
        if not converted.is_file() or converted.stat().st_size == 0:
            log.info("LibreOffice said: %s", stderr.decode("utf-8", "replace").strip())
            if damaged:
                raise ReportFileError(
                    "文件已损坏（内部结构不完整），LibreOffice 也无法打开它；如能在 Word 或 WPS 中打开，"
                    "请另存为 .docx 后再导入"
                )
            raise ReportFileError(f"LibreOffice 无法转换{source.what}：文件可能已损坏或设有打开密码；{SAVE_AS_DOCX}")
        return extract_docx(converted)
    finally:
        _remove(folder)


# --- reading ---------------------------------------------------------------------------------------


def _source(suffix: str, kind: str) -> _Source:
    if kind == RTF:
        return _Source("这份 RTF 文件", f"RTF 文件（扩展名 {suffix}）", ".rtf")
    if suffix == ".wps":
        return _Source("这份 WPS 文字文档（.wps）", "WPS 文字文档（.wps）", ".wps")
    if suffix == ".doc":
        return _Source("这份旧版 Word 文档（.doc）", "旧版 Word 文档（.doc）", ".doc")
    return _Source("这份旧版 Word 文档（.doc）", f"旧版 Word 文档（.doc，扩展名却是 {suffix}）", ".doc")


def _refusal_without_office(source: _Source) -> str:
    return (
        f"这是{source.kind}，本程序要借助 LibreOffice 才能读取：{SAVE_AS_DOCX}；"
        "或者安装 LibreOffice（免费），之后可以直接导入"
    )


def extract_word_file(
    path: Path, *, soffice: str | None = None, time_limit: float = TIME_LIMIT
) -> tuple[ExtractedDocument, list[str]]:
    """Paragraphs and tables of a .docx, .doc or .wps file, chosen by its bytes, and lines for the
    import log saying how it was read (empty for a .docx that is one). ReportFileError with a one-line
    Chinese reason otherwise. `soffice` defaults to what find_soffice finds."""
    from reading.docx_reader import extract_docx

    suffix = path.suffix.lower()
    kind = sniff(path)
    if kind == ZIP:
        note = [] if suffix == ".docx" else [f"文件扩展名是 {suffix}，内容却是 Word 文档（.docx），已按 .docx 读取"]
        return extract_docx(path), note
    if kind == HTML and suffix != ".docx":
        from reading.html_reader import extract_report_html

        return extract_report_html(path), [f"文件扩展名是 {suffix}，内容却是网页（HTML），已按网页读取"]
    if kind == MHT and suffix != ".docx":
        return _read_web_archive(path), [
            f"文件扩展名是 {suffix}，内容却是网页存档（MHT，Word 的“单个文件网页”），已按网页读取"
        ]
    content = inspect_ole(path) if kind == OLE else OleContent()
    if suffix == ".docx" and not (kind == OLE and content.word):
        return extract_docx(path), []  # the DOCX reader says what else the file is
    if content.encrypted_package:
        raise ReportFileError("文件已加密（设有打开密码），请在 Word 或 WPS 中打开它、取消密码，另存为 .docx 后再导入")
    if content.excel:
        raise ReportFileError("这是 Excel 工作簿（.xls），不是 Word 文档")
    if content.powerpoint:
        raise ReportFileError("这是 PowerPoint 演示文稿（.ppt），不是 Word 文档")
    if kind not in (OLE, RTF):
        if kind == EMPTY:
            raise ReportFileError("文件是空的")
        older = "（可能是早期 WPS 的格式）" if suffix == ".wps" else ""
        raise ReportFileError(
            f"不是 Word 或 WPS 文档{older}：文件已损坏或是其他格式；如能在 Word 或 WPS 中打开，请另存为 .docx 后再导入"
        )
    source = _source(suffix, kind)
    if content.word_encrypted:
        raise ReportFileError(f"{source.what}设有打开密码：请在 Word 或 WPS 中打开它、取消密码，另存为 .docx 后再导入")
    program = soffice if soffice is not None else find_soffice()
    if program is None:
        raise ReportFileError(_refusal_without_office(source))
    document = _convert(path, source, program, time_limit, damaged=kind == OLE and not content.readable)
    return document, [f"文件是{source.kind}，已由 LibreOffice 转换为 .docx 后读取"]
