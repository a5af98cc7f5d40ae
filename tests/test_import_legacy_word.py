"""Old Word (.doc) and WPS (.wps) reports: read through LibreOffice exactly as the DOCX they were saved
from, told apart by their bytes (a .docx or a web page named .doc), refused in one line without
LibreOffice, and no LibreOffice left running or temporary folder left behind when it fails or hangs."""

from __future__ import annotations

import os
import quopri
import stat
import struct
import sys
import time
from pathlib import Path

import pytest

from core.report import Report
from core.reportfile import ReportFileError, read_report_file
from exports.html_export import write_html
from exports.layout import build_layout
from reading import legacy_word
from reading.batch import collect_files
from reading.formats import READABLE_SUFFIXES, read_with_log
from reading.legacy_word import OLE, SOFFICE_ENV, ZIP, extract_word_file, find_soffice, inspect_ole, sniff
from tests.conftest import SAMPLES_DIR
from tests.docx_fixtures import cells_of
from tests.portal_fixtures import word_body

OFFICE = SAMPLES_DIR / "office"  # made by scripts/make_legacy_word_fixtures.py from our DOCX exports
# The binary Word file and the DOCX (our export) LibreOffice saved it from.
CASES = [("office-2021.doc", "office-2021.docx"), ("office-2019.wps", "office-2019.docx")]
NOWHERE = "/nonexistent/libreoffice/program/soffice"
posix_only = pytest.mark.skipif(os.name == "nt", reason="the stand-in LibreOffice is a shell script")


@pytest.fixture
def no_office(monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice as if not installed: GOV_REPORT_SOFFICE names a program that does not exist."""
    monkeypatch.setenv(SOFFICE_ENV, NOWHERE)


@pytest.fixture
def own_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The conversions' temporary folders go here, so a test sees whether one was left behind."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def _one_line(exc: pytest.ExceptionInfo[ReportFileError]) -> str:
    message = str(exc.value)
    assert "\n" not in message and message.strip() == message
    assert "Traceback" not in message and "Error" not in message
    return message


def _copy(name: str, target: Path) -> Path:
    target.write_bytes((OFFICE / name).read_bytes())
    return target


def _fake_office(folder: Path, body: str) -> Path:
    """A stand-in for soffice: a shell script doing `body`."""
    script = folder / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


# --- the fixtures are what they say ---------------------------------------------------------------


@pytest.mark.parametrize(("binary", "docx"), CASES)
def test_fixtures_are_binary_word_files_saved_from_the_docx(binary: str, docx: str) -> None:
    assert sniff(OFFICE / binary) == OLE
    content = inspect_ole(OFFICE / binary)
    assert content.readable and content.word and not content.word_encrypted
    assert not (content.excel or content.powerpoint or content.encrypted_package)
    assert sniff(OFFICE / docx) == ZIP


# --- read through LibreOffice -------------------------------------------------------------------


@pytest.mark.needs_tool("soffice")
@pytest.mark.parametrize(("binary", "docx"), CASES)
def test_binary_word_reads_as_the_docx_it_was_saved_from(binary: str, docx: str, own_temp: Path) -> None:
    from_docx = read_with_log(OFFICE / docx)
    from_binary = read_with_log(OFFICE / binary)
    got, expected = from_binary.report, from_docx.report
    assert cells_of(got) == cells_of(expected), "regenerate the fixtures: scripts/make_legacy_word_fixtures.py"
    # Every input cell holds a number of its own, so a mixed-up cell could not go unseen.
    inputs = [cells_of(got)[cell.id] for cell in got.template.input_cells]
    assert all(inputs) and len(set(inputs)) == len(inputs)
    assert got.texts == expected.texts and got.preamble == expected.preamble
    assert (got.title, got.agency, got.year, got.template_id) == (
        expected.title, expected.agency, expected.year, expected.template_id
    )
    assert (got.signature.organ, got.signature.date) == (expected.signature.organ, expected.signature.date)
    # The log says how the file was read, then what the DOCX reading said.
    kind = "WPS 文字文档（.wps）" if binary.endswith(".wps") else "旧版 Word 文档（.doc）"
    assert from_binary.log == [f"文件是{kind}，已由 LibreOffice 转换为 .docx 后读取", *from_docx.log]
    assert list(own_temp.iterdir()) == []  # the conversion's folder, profile and all, is gone


@pytest.mark.needs_tool("soffice")
def test_a_damaged_word_file_is_refused_in_one_line(tmp_path: Path, own_temp: Path) -> None:
    data = (OFFICE / "office-2021.doc").read_bytes()
    broken = tmp_path / "报告.doc"
    broken.write_bytes(data[:20000])  # an attachment whose download broke off
    assert not inspect_ole(broken).readable
    with pytest.raises(ReportFileError) as exc:
        read_with_log(broken)
    message = _one_line(exc)
    assert "已损坏" in message and ".docx" in message
    assert list(own_temp.iterdir()) == []


# --- what the bytes say, whatever the name --------------------------------------------------------


@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_a_docx_named_doc_or_wps_is_read_as_docx_without_libreoffice(
    suffix: str, tmp_path: Path, no_office: None
) -> None:
    renamed = _copy("office-2021.docx", tmp_path / f"报告{suffix}")
    result = read_with_log(renamed)
    assert cells_of(result.report) == cells_of(read_with_log(OFFICE / "office-2021.docx").report)
    assert result.log[0] == f"文件扩展名是 {suffix}，内容却是 Word 文档（.docx），已按 .docx 读取"


def test_a_web_page_named_doc_is_read_as_a_web_page(tmp_path: Path, no_office: None) -> None:
    # Some systems offer a report "as Word" by sending the web page with a .doc name.
    report = read_report_file(OFFICE / "office-2021.json")
    page = tmp_path / "报告.doc"
    write_html(report, page, blank_as_zero=False)
    result = read_with_log(page)
    assert cells_of(result.report) == cells_of(report)
    assert result.log[0] == "文件扩展名是 .doc，内容却是网页（HTML），已按网页读取"


def web_archive(report: Report) -> bytes:
    """The report as Word's "single file web page" (.mht), as office systems hand it out named .doc:
    MIME multipart/related, the page quoted-printable in GBK labelled gb2312, its files beside it."""
    page = (
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40"><head>'
        '<meta http-equiv=Content-Type content="text/html; charset=gb2312"><meta name=ProgId content=Word.Document>'
        '<meta name=Generator content="Microsoft Word 15"><link rel=File-List href="file.files/filelist.xml">'
        f"</head><body lang=ZH-CN style='tab-interval:21.0pt'>"
        f"{word_body(build_layout(report, blank_as_zero=False), title=True)}</body></html>"
    )
    boundary = "----=_NextPart_01DA4B2C.5E3A1B20"
    return b"".join([
        f'MIME-Version: 1.0\r\nX-Document-Type: Word.Document\r\nContent-Type: multipart/related; '
        f'boundary="{boundary}"\r\n\r\n'.encode("ascii"),
        "此文档为“单个文件网页”，也称为“Web 档案”文件。\r\n\r\n".encode("gbk"),
        f"--{boundary}\r\nContent-Location: file:///C:/D3F1A2B4/file.htm\r\n"
        'Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset="gb2312"\r\n\r\n'.encode(),
        quopri.encodestring(page.encode("gbk")).replace(b"\n", b"\r\n"),
        f"\r\n--{boundary}\r\nContent-Location: file:///C:/D3F1A2B4/file.files/filelist.xml\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/xml; charset=\"utf-8\"\r\n\r\n"
        '<xml xmlns:o=3D"urn:schemas-microsoft-com:office:office">\r\n'
        f' <o:MainFile HRef=3D"../file.htm"/>\r\n</xml>\r\n--{boundary}--\r\n'.encode(),
    ])


def test_a_web_archive_named_doc_is_read_as_its_page(tmp_path: Path, no_office: None) -> None:
    report = read_report_file(OFFICE / "office-2019.json")
    path = tmp_path / "正文.doc"
    path.write_bytes(web_archive(report))
    result = read_with_log(path)
    assert cells_of(result.report) == cells_of(report)
    assert "".join(result.report.title.split()) == "".join(report.title.split())
    assert result.report.texts == report.texts and result.report.preamble == report.preamble
    assert result.log[0] == "文件扩展名是 .doc，内容却是网页存档（MHT，Word 的“单个文件网页”），已按网页读取"


def test_a_web_archive_without_a_page_is_refused_in_one_line(tmp_path: Path, no_office: None) -> None:
    path = tmp_path / "正文.wps"
    path.write_bytes(b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
                     b"Content-Type: image/png\r\n\r\nPNG\r\n--b--\r\n")
    with pytest.raises(ReportFileError) as exc:
        read_with_log(path)
    assert "网页存档" in _one_line(exc)


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "文件是空的"),
    (b"%PDF-1.7\n" + b"0" * 600, "不是 Word 或 WPS 文档"),
    (b"\x00\x01WPS" + bytes(range(256)) * 4, "不是 Word 或 WPS 文档（可能是早期 WPS 的格式）"),
])
def test_files_that_are_no_word_document_are_refused_without_libreoffice(
    content: bytes, expected: str, tmp_path: Path, no_office: None
) -> None:
    path = tmp_path / ("旧.wps" if b"WPS" in content else "旧.doc")
    path.write_bytes(content)
    with pytest.raises(ReportFileError) as exc:
        read_with_log(path)
    assert expected in _one_line(exc)


def _set_fib_encrypted(path: Path) -> None:
    """Set fEncrypted in the FIB at the start of the WordDocument stream, as Word does for a password."""
    data = bytearray(path.read_bytes())
    compound = legacy_word._Compound(bytes(data))
    entry = next(e for e in compound.entries if e.name == "WordDocument")
    assert entry.size >= compound.cutoff  # a large stream: it starts at its first sector
    offset = (entry.start + 1) * compound.size
    assert struct.unpack_from("<H", data, offset)[0] == 0xA5EC
    flags = struct.unpack_from("<H", data, offset + 10)[0]
    struct.pack_into("<H", data, offset + 10, flags | 0x0100)
    path.write_bytes(bytes(data))


def test_a_word_file_with_a_password_is_refused_before_libreoffice_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = _copy("office-2021.doc", tmp_path / "报告.doc")
    _set_fib_encrypted(locked)
    assert inspect_ole(locked).word_encrypted
    monkeypatch.setattr(legacy_word, "_convert", lambda *a, **k: pytest.fail("LibreOffice must not be started"))
    with pytest.raises(ReportFileError) as exc:
        read_with_log(locked)
    message = _one_line(exc)
    assert "打开密码" in message and ".docx" in message


# --- without LibreOffice ---------------------------------------------------------------------------


@pytest.mark.parametrize(("binary", "kind"), [("office-2021.doc", "旧版 Word 文档（.doc）"),
                                              ("office-2019.wps", "WPS 文字文档（.wps）")])
def test_without_libreoffice_the_file_is_refused_with_how_to_save_it_as_docx(
    binary: str, kind: str, no_office: None
) -> None:
    assert find_soffice() is None  # the named program decides, even where soffice is on PATH
    with pytest.raises(ReportFileError) as exc:
        read_with_log(OFFICE / binary)
    message = _one_line(exc)
    assert message.startswith(f"这是{kind}")
    assert "另存为" in message and "(*.docx)" in message and "LibreOffice" in message


def test_the_named_libreoffice_is_the_one_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    program = _fake_office(tmp_path, "exit 0")
    monkeypatch.setenv(SOFFICE_ENV, str(program))
    assert find_soffice() == str(program)


# --- LibreOffice failing or hanging --------------------------------------------------------------


@posix_only
def test_a_conversion_that_writes_nothing_is_refused_in_one_line(
    tmp_path: Path, own_temp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = _fake_office(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 1")
    monkeypatch.setenv(SOFFICE_ENV, str(program))
    with pytest.raises(ReportFileError) as exc:
        read_with_log(OFFICE / "office-2021.doc")
    message = _one_line(exc)
    assert message.startswith("LibreOffice 无法转换这份旧版 Word 文档（.doc）") and "(*.docx)" in message
    assert list(own_temp.iterdir()) == []


def _alive(pid: int) -> bool:
    """Whether the process runs (a killed child of a container's init may linger as a zombie)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    return fields[0] != "Z"


@posix_only
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="looks at /proc")
def test_a_hanging_libreoffice_is_stopped_with_all_it_started(tmp_path: Path, own_temp: Path) -> None:
    # soffice starts soffice.bin, which does the work: both must go when the time is up.
    pid_file = tmp_path / "worker.pid"
    program = _fake_office(tmp_path, f"sleep 120 &\necho $! > '{pid_file}'\nsleep 120")
    started = time.monotonic()
    with pytest.raises(ReportFileError) as exc:
        extract_word_file(OFFICE / "office-2021.doc", soffice=str(program), time_limit=1.5)
    assert time.monotonic() - started < 20
    message = _one_line(exc)
    assert message.startswith("LibreOffice 在 1.5 秒内没有转换完这份旧版 Word 文档（.doc），已停止转换")
    worker = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)
    assert list(own_temp.iterdir()) == []


# --- everywhere the readable files are listed ----------------------------------------------------


def test_doc_and_wps_are_among_the_readable_files(tmp_path: Path) -> None:
    assert {".doc", ".wps"} <= set(READABLE_SUFFIXES)
    for name in ("a.doc", "b.WPS", "c.docx", "~$a.doc", ".~b.wps", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    assert [name for _path, name in collect_files([tmp_path])] == ["a.doc", "b.WPS", "c.docx"]


def test_the_command_line_help_names_doc_and_wps(capsys: pytest.CaptureFixture[str]) -> None:
    from cli.parser import build_parser

    for arguments in (["--help"], ["check", "--help"], ["import", "--help"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(arguments)
        assert ".docx、.doc、.wps" in capsys.readouterr().out


def test_the_import_preview_names_the_kind_of_file() -> None:
    from ui.import_preview import file_type_name

    assert file_type_name(Path("报告.DOC")) == "旧版 Word 文档"
    assert file_type_name(Path("报告.wps")) == "WPS 文字文档"
