"""Font discovery for the PDF export: real Chinese TrueType fonts are found, everything else is refused."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
import reportlab
from reportlab.pdfbase import pdfmetrics

from exports import fonts as fonts_module
from exports.fonts import ROLES, FontError, FontSet, find_fonts, probe, register

VERA = Path(reportlab.__file__).resolve().parent / "fonts" / "Vera.ttf"  # TrueType, Latin only


def _real_font() -> FontSet:
    try:
        return find_fonts()
    except FontError as exc:
        pytest.skip(f"no Chinese TrueType font on this machine: {exc}")


@pytest.fixture(scope="module")
def system_fonts() -> FontSet:
    return _real_font()


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


# --- real fonts (skipped only where the machine has no Chinese TrueType font)


def test_system_fonts_fill_every_role(system_fonts: FontSet) -> None:
    for role in ROLES:
        font = system_fonts.font(role)
        assert font.path.is_file()
        assert probe(font.path, font.index) == font
    assert system_fonts.describe().count("\n") == len(ROLES) - 1


def test_copied_font_in_a_temporary_folder_is_found(tmp_path: Path, system_fonts: FontSet) -> None:
    source = system_fonts.hei
    copy = tmp_path / "sub" / source.path.name
    copy.parent.mkdir()
    shutil.copy(source.path, copy)
    found = find_fonts(search_dirs=[tmp_path])
    for role in ROLES:
        assert found.font(role).path == copy
    assert found.hei.index == source.index
    # Roles without a font of their own borrow one and say so.
    assert found.substituted == frozenset(r for r in ROLES if found.font(r).path.name.lower() not in {
        c.filename for c in fonts_module.CANDIDATES[r]
    })


def test_font_under_an_unknown_name_is_still_used(tmp_path: Path, system_fonts: FontSet) -> None:
    source = system_fonts.hei
    copy = tmp_path / "some-chinese-font.ttc"
    shutil.copy(source.path, copy)
    if source.index:
        pytest.skip("the system font is not the first of its collection")
    found = find_fonts(search_dirs=[tmp_path])
    assert {found.font(role).path for role in ROLES} == {copy}
    assert found.substituted == frozenset(ROLES)


def test_override_wins_over_the_system_fonts(tmp_path: Path, system_fonts: FontSet) -> None:
    source = system_fonts.hei
    copy = tmp_path / "my-kai.ttf" if source.path.suffix.lower() == ".ttf" else tmp_path / "my-kai.ttc"
    shutil.copy(source.path, copy)
    found = find_fonts({"kai": f"{copy}#{source.index}"})
    assert found.kai.path == copy
    assert found.kai.index == source.index
    assert "kai" not in found.substituted


def test_bad_subfont_index_of_a_collection(system_fonts: FontSet) -> None:
    collection = next((system_fonts.font(r) for r in ROLES if system_fonts.font(r).path.suffix.lower() == ".ttc"), None)
    if collection is None:
        pytest.skip("no .ttc font here")
    with pytest.raises(FontError, match="没有第 99 个"):
        find_fonts({"song": f"{collection.path}#99"})


def test_quick_cmap_reader_agrees_with_reportlab(system_fonts: FontSet) -> None:
    font = system_fonts.fang
    face = pdfmetrics.getFont(register(system_fonts)["fang"]).face
    with font.path.open("rb") as handle:
        tables = fonts_module._tables(handle, font.index)
        offset, length = tables[b"cmap"]
        cmap = fonts_module._read_at(handle, offset, length)
    # (U+00A0 is left out: reportlab maps it to the space glyph itself when a font lacks it.)
    sample = "政府信息公开年度报告，。（）《》“”——…A1 \u3000𠀀\ue000\uffff豳鬯龘"
    for ch in sample:
        assert fonts_module._cmap_has(cmap, ch) == (ord(ch) in face.charToGlyph), ch


def test_register_is_stable_and_idempotent(system_fonts: FontSet) -> None:
    first = register(system_fonts)
    second = register(system_fonts)
    assert first == second
    assert set(first) == set(ROLES)
    for name in first.values():
        assert name.startswith("GDAR-")
        assert name in pdfmetrics.getRegisteredFontNames()
    assert first["hei"] == fonts_module.font_name(system_fonts.hei)
