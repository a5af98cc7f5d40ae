"""Opening files to read and replacing them when written (core/fileio.py): only regular files are read,
OS errors are said in Chinese, and an export never replaces a file an ordinary save could not."""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import time
from pathlib import Path

import pytest

from cli import run as run_cli
from core.fileio import (
    STALE_TEMPORARY_SECONDS,
    ReportFileError,
    TargetRefused,
    clean_stale_temporaries,
    os_reason,
    read_regular,
    write_atomic,
)
from core.report import Report
from core.reportfile import read_report_file, write_report_file
from exports import ExportOptions, InvalidValuesRefused, export_report
from reading.formats import read_with_log
from tests.conftest import SAMPLES_DIR

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices and owners are POSIX")
PINGTAN = SAMPLES_DIR / "real" / "2022_pingtan.json"


def one_chinese_line(text: str) -> str:
    assert "\n" not in text.strip()
    assert re.search(r"[\u4e00-\u9fff]", text)
    assert not re.search(r"[A-Za-z]{4,}", text.replace("Unicode", "")), text  # no English OS message
    return text


def run(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = run_cli([str(a) for a in args], start_app=lambda _db: 0)
    out, err = capsys.readouterr()
    return status, out, err


# --- reading ----------------------------------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("suffix", [".json", ".docx", ".pdf", ".html"])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, suffix: str) -> None:
    fifo = tmp_path / f"x{suffix}"
    os.mkfifo(fifo)
    with pytest.raises(ReportFileError) as info:
        read_with_log(fifo)
    assert one_chinese_line(str(info.value)) == "这是一个命名管道，不是普通文件"


@posix_only
@pytest.mark.parametrize("device", ["/dev/urandom", "/dev/zero"])
def test_a_link_to_a_device_is_refused_without_reading_it(tmp_path: Path, device: str) -> None:
    link = tmp_path / "x.json"
    link.symlink_to(device)
    with pytest.raises(ReportFileError) as info:
        read_report_file(link)
    assert one_chinese_line(str(info.value)) == "这是一个设备，不是普通文件"
    with pytest.raises(ReportFileError):
        read_with_log(link.rename(tmp_path / "x.docx"))


def test_a_folder_named_like_a_report_is_called_a_folder(tmp_path: Path) -> None:
    for suffix in (".json", ".docx", ".pdf", ".html"):
        folder = tmp_path / f"d{suffix}"
        folder.mkdir()
        with pytest.raises(ReportFileError, match=r"^这是一个文件夹，不是文件$"):
            read_with_log(folder)


@posix_only
def test_looping_links_and_long_names_are_said_once_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    long_name = tmp_path / ("长" * 200 + ".json")
    status, _, err = run("check", tmp_path / "a.json", long_name, capsys=capsys)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].count("无法读取") == 1 and "符号链接" in lines[0]
    assert "文件名或路径过长" in lines[1]
    for line in lines:
        one_chinese_line(line.split("：", 1)[1])


def test_os_errors_are_named_by_errno_in_chinese() -> None:
    codes = [errno.ENOENT, errno.EACCES, errno.EISDIR, errno.ENAMETOOLONG, errno.ELOOP, errno.ENOSPC, errno.EROFS]
    reasons = {code: os_reason(OSError(code, os.strerror(code))) for code in codes}
    assert len(set(reasons.values())) == len(codes)
    for reason in reasons.values():
        one_chinese_line(reason)
    assert os_reason(PermissionError(errno.EACCES, "Permission denied"), writing=True).startswith("没有写入权限")
    unknown = os_reason(OSError(10_123, "Something odd"))
    assert unknown == "系统错误（错误号 10123）"  # the number, not the system's English text


def test_read_regular_never_reads_past_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 2048)
    assert read_regular(path, 2048) == b"x" * 2048
    with pytest.raises(ReportFileError, match="文件过大"):
        read_regular(path, 2047)


# --- writing ----------------------------------------------------------------------------------------


def test_a_read_only_target_is_refused_even_for_root(tmp_path: Path) -> None:
    target = tmp_path / "报告.html"
    target.write_text("原文件", encoding="utf-8")
    target.chmod(0o444)
    with pytest.raises(TargetRefused) as info:
        export_report(read_report_file(PINGTAN), target)
    assert "只读" in one_chinese_line(str(info.value))
    assert target.read_text(encoding="utf-8") == "原文件"
    assert [p.name for p in tmp_path.iterdir()] == ["报告.html"]


@posix_only
def test_another_users_file_in_a_writable_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "同事的报告.json"
    target.write_text("原文件", encoding="utf-8")
    target.chmod(0o666)
    if os.geteuid() == 0:
        os.chown(target, 65534, 65534)  # really another user's
    else:
        monkeypatch.setattr(os, "geteuid", lambda: target.stat().st_uid + 1)
    with pytest.raises(TargetRefused, match="其他用户"):
        write_atomic(target, b"new")
    assert target.read_text(encoding="utf-8") == "原文件"


def test_refusals_are_os_errors_for_callers_that_handle_failed_writes(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    target.write_bytes(b"old")
    target.chmod(stat.S_IRUSR)
    with pytest.raises(OSError):  # noqa: PT011 (the point is the base class)
        write_atomic(target, b"new")


@posix_only
def test_a_link_is_written_through_and_a_special_file_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(TargetRefused, match="特殊文件"):
        write_atomic(fifo, b"new")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_the_command_line_refuses_a_read_only_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.json"
    target.write_text("原文件", encoding="utf-8")
    target.chmod(0o444)
    status, out, err = run("--db", tmp_path / "db.sqlite", "export", PINGTAN, "--to", target, capsys=capsys)
    assert status == 2 and out == ""
    assert err.startswith(f"无法写入「{target}」：") and "只读" in err and "原文件未改动" in err
    assert target.read_text(encoding="utf-8") == "原文件"


def _temporary(folder: Path, name: str, age: float) -> Path:
    path = folder / name
    path.write_bytes(b"partial")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_stale_temporaries_of_ours_are_cleaned_by_the_next_export(tmp_path: Path) -> None:
    old = STALE_TEMPORARY_SECONDS + 60
    stale = _temporary(tmp_path, ".报告.pdf.k2j4h1x_.tmp", old)
    stale_json = _temporary(tmp_path, ".a.json.abcdefgh.tmp", old)
    young = _temporary(tmp_path, ".报告.pdf.zzzzzzzz.tmp", 5)  # perhaps another export at work
    not_ours = _temporary(tmp_path, ".notes.txt.abcdefgh.tmp", old)
    other_shape = _temporary(tmp_path, ".报告.pdf.tmp", old)
    export_report(read_report_file(PINGTAN), tmp_path / "另一个.html")
    assert not stale.exists() and not stale_json.exists()
    assert young.exists() and not_ours.exists() and other_shape.exists()
    assert clean_stale_temporaries(tmp_path, now=time.time() + STALE_TEMPORARY_SECONDS) == [young]


# --- invalid values are not published ----------------------------------------------------------------


def _with_invalid_value() -> Report:
    report = read_report_file(PINGTAN)
    report.set_cell("s3.new.natural", "1,2,3")
    report.set_cell("s2.fees.amount", "十二万")
    return report


@pytest.mark.parametrize("suffix", [".html", ".docx"])
def test_an_official_export_with_invalid_values_is_refused_naming_the_cells(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"报告{suffix}"
    with pytest.raises(InvalidValuesRefused) as info:
        export_report(_with_invalid_value(), target)
    message = str(info.value)
    assert "1,2,3" in message and "十二万" in message and "VALUE-INVALID" in message
    assert not target.exists()
    export_report(_with_invalid_value(), target, ExportOptions(draft=True))  # a draft may print them
    assert target.stat().st_size > 0


def test_the_refusal_quotes_a_long_invalid_value_briefly_and_counts_the_rest(tmp_path: Path) -> None:
    report = read_report_file(PINGTAN)
    cells = [f"s3.new.{col}" for col in ("natural", "commercial", "research", "social", "legal", "other_org")]
    for cell_id in cells:
        report.set_cell(cell_id, "不是数字" * 1000)
    with pytest.raises(InvalidValuesRefused) as info:
        export_report(report, tmp_path / "x.pdf")
    message = str(info.value)
    assert len(message) < 400 and "等 6 个单元格" in message
    assert not (tmp_path / "x.pdf").exists()


def test_a_report_file_keeps_invalid_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "bad.json"
    write_report_file(_with_invalid_value(), source)
    status, _, err = run("--db", tmp_path / "db.sqlite", "export", source, "--to", tmp_path / "x.html", capsys=capsys)
    assert status == 2 and "1,2,3" in err and not (tmp_path / "x.html").exists()
    status, _, err = run(
        "--db", tmp_path / "db.sqlite", "export", source, "--to", tmp_path / "x.html", "--draft", capsys=capsys
    )
    assert status == 0, err
    assert "1,2,3" in (tmp_path / "x.html").read_text(encoding="utf-8")
    status, _, _ = run("--db", tmp_path / "db.sqlite", "export", source, "--to", tmp_path / "y.json", capsys=capsys)
    assert status == 0
    assert read_report_file(tmp_path / "y.json").value("s3.new.natural").text == "1,2,3"
