"""Font discovery for the PDF export: real Chinese TrueType fonts are found, everything else is refused."""

from __future__ import annotations

import os
import re
import shutil
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs
import pytest
import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace, TTFontFile

from core.paths import APP_NAME, DATA_DIR_ENV, cache_dir
from core.reportfile import read_report_file
from exports import fonts as fonts_module
from exports.fonts import (
    ALL_ROLES,
    CANDIDATES,
    DEBIAN_FILES,
    DEBIAN_PACKAGES,
    LATIN,
    LATIN_CANDIDATES,
    LATIN_PROBE,
    ROLES,
    WINDOWS_FILES,
    FontError,
    FontFile,
    FontSet,
    find_fonts,
    has_glyph,
    probe,
    register,
    setup_font_dirs,
)
from exports.layout import build_layout
from exports.pdf_export import render_pdf
from tests.conftest import SAMPLES_DIR, place_font

VERA = Path(reportlab.__file__).resolve().parent / "fonts" / "Vera.ttf"  # TrueType, Latin only


# --- fake font files, built byte by byte


def _cmap_format4(mapping: dict[int, int]) -> bytes:
    codes = sorted(mapping)
    segments = [(c, c, (mapping[c] - c) % 0x10000) for c in codes] + [(0xFFFF, 0xFFFF, 1)]
    count = len(segments)
    sub = struct.pack(">HHHHHHH", 4, 16 + 8 * count, 0, 2 * count, 2, 0, 0)
    sub += b"".join(struct.pack(">H", end) for _, end, _ in segments) + b"\0\0"
    sub += b"".join(struct.pack(">H", start) for start, _, _ in segments)
    sub += b"".join(struct.pack(">H", delta) for _, _, delta in segments)
    sub += b"\0\0" * count
    return struct.pack(">HHHHI", 0, 1, 3, 1, 12) + sub


def _sfnt(version: bytes, tables: dict[bytes, bytes], base: int = 0) -> bytes:
    """An sfnt whose table offsets are counted from `base` (its place in a .ttc)."""
    header = version + struct.pack(">HHHH", len(tables), 0, 0, 0)
    offset = base + 12 + 16 * len(tables)
    directory = b""
    data = b""
    for tag, body in sorted(tables.items()):
        directory += tag + struct.pack(">III", 0, offset + len(data), len(body))
        data += body + b"\0" * (-len(body) % 4)
    return header + directory + data


def _ttc(version: bytes, tables: dict[bytes, bytes]) -> bytes:
    return b"ttcf" + struct.pack(">III", 0x00010000, 1, 16) + _sfnt(version, tables, base=16)


CJK_CMAP = _cmap_format4({ord("政"): 1, ord("年"): 2})
LATIN_CMAP = _cmap_format4({ord("A"): 1, ord("B"): 2})


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# --- nothing usable


def test_empty_folder_gives_the_chinese_install_message(tmp_path: Path) -> None:
    with pytest.raises(FontError) as caught:
        find_fonts(search_dirs=[tmp_path])
    message = str(caught.value)
    assert "未找到可嵌入 PDF 的中文字体" in message
    assert "sudo apt install fonts-wqy-zenhei" in message
    for name in ("仿宋", "黑体", "楷体", "宋体"):
        assert name in message
    assert "simfang.ttf" in message


def test_missing_folder_is_like_an_empty_one(tmp_path: Path) -> None:
    with pytest.raises(FontError, match="fonts-wqy-zenhei"):
        find_fonts(search_dirs=[tmp_path / "nowhere"])


def test_latin_truetype_font_is_not_taken_for_chinese(tmp_path: Path) -> None:
    shutil.copy(VERA, tmp_path / "simfang.ttf")  # even under a Chinese font's file name
    with pytest.raises(FontError, match="未找到可嵌入 PDF 的中文字体"):
        find_fonts(search_dirs=[tmp_path])
    with pytest.raises(FontError, match="不含中文字形"):
        probe(tmp_path / "simfang.ttf")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("NotoSansCJK-Regular.otf", _sfnt(b"OTTO", {b"CFF ": b"\0" * 8, b"cmap": CJK_CMAP}), "CFF"),
        ("NotoSansCJK-Regular.ttc", _ttc(b"OTTO", {b"CFF ": b"\0" * 8, b"cmap": CJK_CMAP}), "CFF"),
        ("cff-in-truetype.ttf", _sfnt(b"\0\1\0\0", {b"CFF ": b"\0" * 8, b"cmap": CJK_CMAP}), "CFF"),
        ("bitmap-only.ttf", _sfnt(b"\0\1\0\0", {b"EBDT": b"\0" * 8, b"cmap": CJK_CMAP}), "glyf"),
        ("no-cmap.ttf", _sfnt(b"\0\1\0\0", {b"glyf": b"\0" * 8, b"loca": b"\0" * 8}), "cmap"),
        ("latin.ttf", _sfnt(b"\0\1\0\0", {b"glyf": b"\0" * 8, b"loca": b"\0" * 8, b"cmap": LATIN_CMAP}), "中文"),
        ("garbage.ttf", b"this is not a font at all" * 10, "不是 TrueType"),
        ("empty.ttf", b"", "不完整"),
        ("truncated.ttc", b"ttcf\0\1\0\0\0\0\0\5", "不完整"),
    ],
)
def test_unusable_font_files_are_refused_with_a_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(FontError) as caught:
        probe(path)
    assert reason in str(caught.value)
    assert str(path) in str(caught.value)
    # A folder holding only such files has no usable font.
    with pytest.raises(FontError, match="fonts-wqy-zenhei"):
        find_fonts(search_dirs=[tmp_path])


def test_font_that_passes_the_quick_check_must_still_load_in_reportlab(tmp_path: Path) -> None:
    # Tables in place and 政/年 in the cmap, but no real glyph data: reportlab cannot embed it.
    fake = _sfnt(b"\0\1\0\0", {b"glyf": b"\0" * 8, b"loca": b"\0" * 8, b"cmap": CJK_CMAP})
    path = _write(tmp_path, "simfang.ttf", fake)
    assert fonts_module._probe_cached(str(path), 0, 1, 1) == ("simfang", "")
    with pytest.raises(FontError, match="不能嵌入 PDF"):
        probe(path)
    with pytest.raises(FontError, match="fonts-wqy-zenhei"):
        find_fonts(search_dirs=[tmp_path])


# --- overrides


def test_override_to_a_missing_file_names_the_role_and_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-font.ttf"
    with pytest.raises(FontError) as caught:
        find_fonts({"fang": str(missing)}, search_dirs=[tmp_path])
    message = str(caught.value)
    assert "正文（仿宋）字体设置有误" in message
    assert "字体文件不存在" in message
    assert str(missing) in message


def test_override_to_a_cff_font_says_it_cannot_be_embedded(tmp_path: Path) -> None:
    path = _write(tmp_path, "NotoSerifCJK.ttc", _ttc(b"OTTO", {b"CFF ": b"\0" * 8, b"cmap": CJK_CMAP}))
    with pytest.raises(FontError, match=r"二级标题（楷体）字体设置有误.*CFF"):
        find_fonts({"kai": f"{path}#0"}, search_dirs=[tmp_path])


def test_override_with_an_unknown_role_or_an_empty_path(tmp_path: Path) -> None:
    with pytest.raises(FontError, match="未知的字体用途 “bold”"):
        find_fonts({"bold": str(VERA)}, search_dirs=[tmp_path])
    with pytest.raises(FontError, match="路径是空的"):
        find_fonts({"hei": "  "}, search_dirs=[tmp_path])


def test_override_to_a_folder(tmp_path: Path) -> None:
    with pytest.raises(FontError, match="不是字体文件"):
        find_fonts({"song": str(tmp_path)}, search_dirs=[tmp_path])


def test_subfont_index_on_a_plain_ttf_is_refused() -> None:
    with pytest.raises(FontError, match="不是字体集"):
        probe(VERA, 1)


# --- real fonts (the `fonts` fixture: these tests need the cjk_font tool, see conftest.py)


def test_fonts_fill_every_role(fonts: FontSet) -> None:
    for role in ROLES:
        font = fonts.font(role)
        assert font.path.is_file()
        assert probe(font.path, font.index) == font
    assert fonts.describe().count("\n") == len(ALL_ROLES) - 1


def test_copied_font_in_a_temporary_folder_is_found(tmp_path: Path, fonts: FontSet) -> None:
    source = fonts.hei
    copy = tmp_path / "sub" / source.path.name
    copy.parent.mkdir()
    shutil.copy(source.path, copy)
    found = find_fonts(search_dirs=[tmp_path])
    for role in ROLES:
        assert found.font(role).path == copy
    assert found.hei.index == source.index
    # Roles without a font of their own borrow one and say so; nothing sets digits and Latin letters.
    assert found.substituted == {LATIN} | frozenset(r for r in ROLES if found.font(r).path.name.lower() not in {
        c.filename for c in fonts_module.CANDIDATES[r]
    })
    assert found.latin is None


def test_font_under_an_unknown_name_is_still_used(tmp_path: Path, fonts: FontSet) -> None:
    source = fonts.hei
    copy = tmp_path / "some-chinese-font.ttc"
    shutil.copy(source.path, copy)
    # A file under an unknown name is taken at index 0 (the first font of a collection).
    try:
        first = probe(source.path, 0)
    except FontError:  # the system font is a later font of a collection whose first is unusable
        with pytest.raises(FontError, match="未找到可嵌入 PDF 的中文字体"):
            find_fonts(search_dirs=[tmp_path])
        return
    found = find_fonts(search_dirs=[tmp_path])
    assert {(found.font(role).path, found.font(role).index) for role in ROLES} == {(copy, 0)}
    assert found.hei.name == first.name
    assert found.substituted == frozenset(ALL_ROLES)


def test_override_wins_over_the_fonts(tmp_path: Path, fonts: FontSet) -> None:
    source = fonts.hei
    copy = tmp_path / "my-kai.ttf" if source.path.suffix.lower() == ".ttf" else tmp_path / "my-kai.ttc"
    shutil.copy(source.path, copy)
    found = find_fonts({"kai": f"{copy}#{source.index}"})
    assert found.kai.path == copy
    assert found.kai.index == source.index
    assert "kai" not in found.substituted


def test_bad_subfont_index_of_a_collection(tmp_path: Path) -> None:
    truetype = {b"glyf": b"\0" * 8, b"loca": b"\0" * 8, b"cmap": CJK_CMAP}
    collection = _write(tmp_path, "simsun.ttc", _ttc(b"\0\1\0\0", truetype))  # one font in it
    with pytest.raises(FontError, match="字体集中只有 1 个字体，没有第 99 个"):
        find_fonts({"song": f"{collection}#99"}, search_dirs=[tmp_path])


def test_quick_cmap_reader_agrees_with_reportlab(fonts: FontSet) -> None:
    font = fonts.fang
    face = pdfmetrics.getFont(register(fonts)["fang"]).face
    with font.path.open("rb") as handle:
        tables = fonts_module._tables(handle, font.index)
        offset, length = tables[b"cmap"]
        cmap = fonts_module._read_at(handle, offset, length)
    # (U+00A0 is left out: reportlab maps it to the space glyph itself when a font lacks it. reportlab
    # keeps U+FFFF, the end of every format 4 cmap, mapped to glyph 0: the missing glyph.)
    sample = "政府信息公开年度报告，。（）《》“”——…A1 \u3000𠀀\ue000\uffff豳鬯龘"
    for ch in sample:
        assert fonts_module._cmap_has(cmap, ch) == (face.charToGlyph.get(ord(ch), 0) != 0), ch
        assert fonts_module._cmap_has(cmap, ch) == has_glyph(register(fonts)["fang"], ch), ch


def test_register_is_stable_and_idempotent(fonts: FontSet) -> None:
    first = register(fonts)
    second = register(fonts)
    assert first == second
    assert set(first) == set(ROLES) | ({LATIN} if fonts.latin is not None else set())
    for name in first.values():
        assert name.startswith("GDAR-")
        assert name in pdfmetrics.getRegisteredFontNames()
    assert first["hei"] == fonts_module.font_name(fonts.hei)


# --- roles without a face of their own: the closest look, and a notice that says so

ROLE_FILES = {
    "song": "simsun.ttc", "hei": "simhei.ttf", "kai": "simkai.ttf", "fang": "simfang.ttf", "title": "FZXBSJW.TTF"
}


# The roles that have a face of their own, and whose face each of the others borrows.
BORROWING: list[tuple[set[str], dict[str, str]]] = [
    ({"hei", "song"}, {"fang": "song", "kai": "song", "title": "song"}),
    ({"hei", "kai"}, {"fang": "kai", "song": "kai", "title": "hei"}),
    ({"hei", "fang"}, {"song": "fang", "kai": "fang", "title": "hei"}),
    ({"hei", "title"}, {"fang": "title", "song": "title", "kai": "title"}),
    ({"song", "kai"}, {"fang": "song", "hei": "song", "title": "song"}),
    ({"fang", "song", "kai", "hei"}, {"title": "song"}),  # Windows without 方正小标宋
    ({"fang", "kai", "title"}, {"song": "fang", "hei": "title"}),
    ({"hei"}, {"fang": "hei", "song": "hei", "kai": "hei", "title": "hei"}),
]


@pytest.mark.parametrize(("own", "borrowed"), BORROWING, ids=["+".join(sorted(own)) for own, _ in BORROWING])
def test_roles_without_a_face_borrow_the_closest_look(
    tmp_path: Path, one_face: Path, own: set[str], borrowed: dict[str, str]
) -> None:
    placed = {role: place_font(one_face, tmp_path / "fonts" / ROLE_FILES[role]) for role in own}
    found = find_fonts(search_dirs=[tmp_path / "fonts"])
    assert {role: found.font(role).path for role in ROLES} == {
        role: placed[borrowed.get(role, role)] for role in ROLES
    }
    assert found.substituted == {LATIN, *borrowed}
    assert {role: found.donor(role) for role in ROLES} == {role: borrowed.get(role) for role in ROLES}
    # 仿宋 body text, 宋体 tables and 楷体 headings take 黑体 only when there is nothing else.
    for role in ("fang", "song", "kai"):
        assert found.donor(role) != "hei" or own == {"hei"}


def test_a_sans_and_a_song_set_the_body_in_the_song(tmp_path: Path, one_face: Path) -> None:
    sans = place_font(one_face, tmp_path / "fonts" / "wqy-zenhei.ttc")
    song = place_font(one_face, tmp_path / "fonts" / "gbsn00lp.ttf")
    found = find_fonts(search_dirs=[tmp_path / "fonts"])
    assert found.hei.path == sans
    assert {found.font(role).path for role in ("song", "fang", "kai", "title")} == {song}
    notice = found.notice("linux")
    assert notice is not None
    assert "二级标题（楷体）、正文（仿宋）、标题（方正小标宋）暂用宋体" in notice
    assert "黑体印出" not in notice
    assert "sudo apt install fonts-arphic-gkai00mp fonts-liberation" in notice


def test_only_a_sans_sets_everything_and_the_notice_says_so_loudly(tmp_path: Path, one_face: Path) -> None:
    # What the reviewer found on Linux with nothing but WenQuanYi Zen Hei.
    sans = place_font(one_face, tmp_path / "fonts" / "wqy-zenhei.ttc")
    found = find_fonts(search_dirs=[tmp_path / "fonts"])
    assert {found.font(role).path for role in ROLES} == {sans}
    assert found.latin is None
    notice = found.notice("linux")
    assert notice is not None
    assert "表格、页码（宋体）、二级标题（楷体）、正文（仿宋）、标题（方正小标宋）暂用黑体" in notice
    assert "注意：正文、表格、页码、二级标题、标题都用黑体印出" in notice
    assert "sudo apt install fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-liberation" in notice
    assert "`main.py fonts --set fang 字体文件`" in notice and "`main.py fonts --set title 字体文件`" in notice
    for line in found.describe().splitlines()[:-1]:
        assert line.startswith("一级标题（黑体）：") or "（未找到，代用黑体）" in line


def test_latin_takes_times_new_roman_else_a_face_of_its_widths(tmp_path: Path, one_face: Path) -> None:
    folder = tmp_path / "fonts"
    place_font(one_face, folder / "simsun.ttc")
    liberation = place_font(VERA, folder / "LiberationSerif-Regular.ttf")  # stands for it: Latin only
    found = find_fonts(search_dirs=[folder])
    assert found.latin is not None and found.latin.path == liberation
    assert LATIN not in found.substituted
    times = place_font(VERA, folder / "times.ttf")
    found = find_fonts(search_dirs=[folder])
    assert found.latin is not None and found.latin.path == times
    names = register(found)
    assert names["latin"] == fonts_module.font_name(found.latin)
    assert set(names) == set(ALL_ROLES)
    assert found.describe().splitlines()[-1] == f"数字和西文（Times New Roman）：{found.latin.name}  {times}"


def test_another_serif_stands_in_for_times_and_says_so(tmp_path: Path, one_face: Path) -> None:
    folder = tmp_path / "fonts"
    place_font(one_face, folder / "simsun.ttc")
    serif = place_font(VERA, folder / "DejaVuSerif.ttf")
    found = find_fonts(search_dirs=[folder])
    assert found.latin is not None and found.latin.path == serif
    assert LATIN in found.substituted
    notice = found.notice("linux")
    assert notice is not None
    assert f"数字和西文（Times New Roman）暂用「{found.latin.name}」" in notice
    assert "fonts-liberation" in notice
    assert "（未找到，代用）" in found.describe().splitlines()[-1]


def test_without_a_latin_face_the_digits_come_from_the_chinese_fonts(tmp_path: Path, one_face: Path) -> None:
    place_font(one_face, tmp_path / "fonts" / "simsun.ttc")
    found = find_fonts(search_dirs=[tmp_path / "fonts"])
    assert found.latin is None and LATIN in found.substituted
    assert "latin" not in register(found)
    assert found.describe().splitlines()[-1] == "数字和西文（Times New Roman）（未找到）：用中文字体中的数字和字母"
    assert "数字和西文（Times New Roman）暂用中文字体中的数字和字母" in (found.notice("win32") or "")
    assert "times.ttf" in (found.notice("win32") or "")


def test_latin_can_be_set_like_the_other_roles(tmp_path: Path, one_face: Path) -> None:
    place_font(one_face, tmp_path / "fonts" / "simsun.ttc")
    found = find_fonts({"latin": str(VERA)}, search_dirs=[tmp_path / "fonts"])
    assert found.latin is not None and found.latin.path == VERA
    assert LATIN not in found.substituted


def test_latin_setting_without_latin_letters_is_refused(tmp_path: Path) -> None:
    truetype = {b"glyf": b"\0" * 8, b"loca": b"\0" * 8, b"cmap": CJK_CMAP}
    chinese_only = _write(tmp_path, "cjk.ttf", _sfnt(b"\0\1\0\0", truetype))
    with pytest.raises(FontError, match=r"数字和西文（Times New Roman）字体设置有误.*不含西文字母和数字"):
        find_fonts({"latin": str(chinese_only)}, search_dirs=[tmp_path])
    with pytest.raises(FontError, match=r"未知的字体用途 “bold”.*latin（Times New Roman）"):
        find_fonts({"bold": str(VERA)}, search_dirs=[tmp_path])
    assert probe(VERA, chars=LATIN_PROBE).path == VERA


# The notice itself, on sets made by hand (it reads no file).

SUNG = FontFile(Path("/fonts/gbsn00lp.ttf"), 0, "文鼎ＰＬ简报宋")
ZENHEI = FontFile(Path("/fonts/wqy-zenhei.ttc"), 0, "文泉驿正黑")
GKAI = FontFile(Path("/fonts/gkai00mp.ttf"), 0, "文鼎ＰＬ简中楷")
LIBERATION = FontFile(Path("/fonts/LiberationSerif-Regular.ttf"), 0, "Liberation Serif")
SIMSUN = FontFile(Path("C:/Windows/Fonts/simsun.ttc"), 0, "宋体")
SIMHEI = FontFile(Path("C:/Windows/Fonts/simhei.ttf"), 0, "黑体")
SIMKAI = FontFile(Path("C:/Windows/Fonts/simkai.ttf"), 0, "楷体")
SIMFANG = FontFile(Path("C:/Windows/Fonts/simfang.ttf"), 0, "仿宋")
XBS = FontFile(Path("C:/Windows/Fonts/FZXBSJW.TTF"), 0, "方正小标宋简体")
TIMES = FontFile(Path("C:/Windows/Fonts/times.ttf"), 0, "Times New Roman")


def test_no_notice_when_every_role_has_its_own_face() -> None:
    official = FontSet(song=SIMSUN, hei=SIMHEI, kai=SIMKAI, fang=SIMFANG, title=XBS, latin=TIMES)
    assert official.notice("win32") is None
    assert official.notice("linux") is None


def test_notice_on_linux_after_setup_names_what_no_package_brings() -> None:
    fonts = FontSet(
        song=SUNG, hei=ZENHEI, kai=GKAI, fang=SUNG, title=SUNG, substituted=frozenset({"fang", "title"}),
        latin=LIBERATION,
    )
    notice = fonts.notice("linux")
    assert notice is not None
    assert notice.startswith("PDF 中有的用途没有对应的字体：正文（仿宋）、标题（方正小标宋）暂用宋体「文鼎ＰＬ简报宋」")
    assert "`main.py fonts --set fang 字体文件`" in notice and "`main.py fonts --set title 字体文件`" in notice
    assert "仿宋_GB2312.ttf" in notice and "~/.local/share/fonts" in notice
    assert "apt install" not in notice and "注意" not in notice and "表格" not in notice


def test_notice_on_windows_names_the_system_fonts_and_fangzheng() -> None:
    without_title = FontSet(
        song=SIMSUN, hei=SIMHEI, kai=SIMKAI, fang=SIMFANG, title=SIMSUN, substituted=frozenset({"title"}), latin=TIMES
    )
    notice = without_title.notice("win32")
    assert notice is not None
    assert "标题（方正小标宋）暂用宋体「宋体」代替" in notice
    assert "方正小标宋简体.ttf" in notice and "`main.py fonts --set title 字体文件`" in notice
    assert "fonts-" not in notice and "apt" not in notice and "simfang" not in notice
    # A Windows of another language, without the Chinese supplemental fonts.
    english = FontSet(
        song=SIMSUN, hei=SIMSUN, kai=SIMSUN, fang=SIMSUN, title=SIMSUN,
        substituted=frozenset({"hei", "kai", "fang", "title"}), latin=TIMES,
    )
    notice = english.notice("win32")
    assert notice is not None
    assert "黑体、楷体、仿宋（simhei.ttf、simkai.ttf、simfang.ttf）" in notice
    assert "中文(简体)补充字体" in notice
    assert "`main.py fonts --set title 字体文件`" in notice and "--set fang" not in notice


def test_what_setup_installs_and_windows_brings_are_candidates_of_their_roles() -> None:
    def pool(role: str) -> set[str]:
        return {c.filename for c in (LATIN_CANDIDATES if role == LATIN else CANDIDATES[role])}

    for role, package in DEBIAN_PACKAGES.items():
        assert DEBIAN_FILES[package].lower() in pool(role), package
    for role, name in WINDOWS_FILES.items():
        assert name.lower() in pool(role), name
    assert "uming.ttc" in pool("song") and "ukai.ttc" in pool("kai")  # the .ttc faces of the same glyphs
    # Every package a notice names is one scripts/setup.sh installs.
    setup = (Path(__file__).resolve().parents[1] / "scripts" / "setup.sh").read_text("utf-8")
    for package in DEBIAN_PACKAGES.values():
        assert re.search(rf"^\s*{re.escape(package)}\s*$", setup, re.MULTILINE), package


def test_setup_font_dirs_names_the_packages_that_are_missing(tmp_path: Path) -> None:
    with pytest.raises(FontError) as caught:
        setup_font_dirs(tmp_path)
    assert f"sudo apt install {' '.join(DEBIAN_FILES)}" in str(caught.value)


@pytest.mark.needs_tool("setup_fonts")
def test_the_fonts_setup_installs_set_each_role_in_its_look() -> None:
    found = find_fonts(search_dirs=setup_font_dirs())
    assert {role: found.font(role).path.name for role in ROLES} == {
        "song": "gbsn00lp.ttf", "hei": "wqy-zenhei.ttc", "kai": "gkai00mp.ttf", "fang": "gbsn00lp.ttf",
        "title": "gbsn00lp.ttf",
    }
    assert found.latin is not None and found.latin.path.name == "LiberationSerif-Regular.ttf"
    assert found.substituted == {"fang", "title"}
    assert set(register(found)) == set(ALL_ROLES)
    notice = found.notice("linux")
    assert notice is not None and "apt install" not in notice and "--set fang" in notice


# --- the cache of parsed fonts


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder, and no font loaded in this process yet."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setattr(fonts_module, "_TTFONTS", {})
    return tmp_path / "data" / "cache" / "fonts"


class _ParseCounter:
    """Counts the fonts reportlab parses (TTFontFile.extractInfo reads a font's tables)."""

    def __init__(self) -> None:
        self.parsed = 0


@pytest.fixture
def parser(monkeypatch: pytest.MonkeyPatch) -> _ParseCounter:
    counter = _ParseCounter()
    extract = TTFontFile.extractInfo

    def counting(self: TTFontFile, *args: Any, **kwargs: Any) -> Any:
        counter.parsed += 1
        return extract(self, *args, **kwargs)

    monkeypatch.setattr(TTFontFile, "extractInfo", counting)
    return counter


def _load_again(monkeypatch: pytest.MonkeyPatch, font: FontFile) -> TTFont:
    """The font as a new process loads it."""
    monkeypatch.setattr(fonts_module, "_TTFONTS", {})
    return fonts_module._ttfont(font)


def test_cache_folder_follows_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert cache_dir() == tmp_path / "cache"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert cache_dir() == Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def test_font_from_the_cache_prints_the_same_pdf(
    fonts: FontSet, cache_folder: Path, parser: _ParseCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    font = fonts.hei
    parsed = fonts_module._ttfont(font)
    assert parser.parsed == 1
    assert len(list(cache_folder.glob("*.font"))) == 1
    cached = _load_again(monkeypatch, font)
    assert parser.parsed == 1, "the font was parsed again instead of taken from the cache"
    assert cached is not parsed and cached.face is not parsed.face
    assert isinstance(cached.face, TTFontFace)

    one_font = FontSet(song=font, hei=font, kai=font, fang=font, title=font)
    name = register(one_font)["hei"]  # registered once under its name; the objects are swapped below
    report = read_report_file(SAMPLES_DIR / "real" / "2022_pingtan.json")
    pdfs = []
    for ttfont in (parsed, cached, parsed):
        monkeypatch.setitem(fonts_module._TTFONTS, font, ttfont)
        monkeypatch.setitem(pdfmetrics._fonts, name, ttfont)
        pdfs.append(render_pdf(build_layout(report, draft=True), one_font, invariant=True))  # same bytes
    assert pdfs[0] == pdfs[2]  # the comparison itself is sound
    assert pdfs[1] == pdfs[0]
    # What only text shaping reads is made when first asked for, and then is what parsing made.
    assert "glyphToChar" not in vars(cached.face)
    assert cached.face.glyphToChar == parsed.face.glyphToChar
    assert fonts_module._same_font(cached, parsed)
    assert cached.face._ttf_data == parsed.face._ttf_data


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: b"not a cache file at all",
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 0x55]) + data[len(data) // 2 + 1 :],
        lambda data: data.replace(b'"index": ', b'"index": 7', 1),  # a key that is not this font's
    ],
    ids=["empty", "garbage", "truncated", "one-byte-changed", "other-key"],
)
def test_damaged_cache_file_is_ignored_and_made_again(
    fonts: FontSet,
    cache_folder: Path,
    parser: _ParseCounter,
    monkeypatch: pytest.MonkeyPatch,
    damage: Callable[[bytes], bytes],
) -> None:
    font = fonts.hei
    parsed = fonts_module._ttfont(font)
    (cache_file,) = cache_folder.glob("*.font")
    cache_file.write_bytes(damage(cache_file.read_bytes()))
    loaded = _load_again(monkeypatch, font)
    assert parser.parsed == 2  # parsed as if there were no cache
    assert fonts_module._same_font(loaded, parsed)
    _load_again(monkeypatch, font)
    assert parser.parsed == 2  # and the cache was written again
    assert len(list(cache_folder.glob("*"))) == 1


def test_changed_font_file_is_parsed_again_and_its_old_cache_removed(
    tmp_path: Path, fonts: FontSet, cache_folder: Path, parser: _ParseCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / f"copy{fonts.hei.path.suffix}"
    shutil.copy(fonts.hei.path, copy)
    font = probe(copy, fonts.hei.index)
    assert parser.parsed == 1
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    _load_again(monkeypatch, font)
    assert parser.parsed == 2
    _load_again(monkeypatch, font)
    assert parser.parsed == 2
    assert len(list(cache_folder.glob("*.font"))) == 1
    # A cache file of a font that is no longer there is removed when another font is kept.
    copy.unlink()
    fonts_module._ttfont(fonts.hei)
    (kept,) = cache_folder.glob("*.font")
    assert kept.name.startswith(fonts.hei.path.stem)


def test_unwritable_cache_folder_only_costs_time(
    tmp_path: Path, fonts: FontSet, parser: _ParseCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv(DATA_DIR_ENV, str(blocker / "data"))
    monkeypatch.setattr(fonts_module, "_TTFONTS", {})
    first = fonts_module._ttfont(fonts.hei)
    again = _load_again(monkeypatch, fonts.hei)
    assert parser.parsed == 2
    assert fonts_module._same_font(first, again)
    assert list(tmp_path.iterdir()) == [blocker]
