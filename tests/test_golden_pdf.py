"""Golden-image regression of the PDF export: any change of layout that was not meant fails here.
Intended changes: run scripts/make_golden_images.py, look at the new images, commit them."""

from __future__ import annotations

import pytest

from tests.golden_pdf import REPORTS, compare, golden_pages, pinned_fonts, render_pages

pytestmark = pytest.mark.needs_tool("setup_fonts")


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_pdf_pages_look_as_the_golden_images(name: str) -> None:
    pages = render_pages(name, pinned_fonts())
    golden = golden_pages(name)
    assert golden, f"no golden images for {name}: run scripts/make_golden_images.py"
    assert len(pages) == len(golden), f"{name}: {len(pages)} pages, the golden images have {len(golden)}"
    pairs = enumerate(zip(pages, golden, strict=True), start=1)
    differences = [compare(png, path, number) for number, (png, path) in pairs]
    bad = [d for d in differences if not d.matches]
    assert not bad, f"{name}: pages differ from the golden images: {bad} (scripts/make_golden_images.py redraws them)"


def test_the_comparison_sees_a_moved_line() -> None:
    """The tolerance lets through anti-aliasing noise but not a line of text moved by a few points."""
    import io

    from PIL import Image, ImageDraw

    base = Image.new("L", (331, 468), 255)
    ImageDraw.Draw(base).rectangle((40, 100, 290, 104), fill=0)
    moved = Image.new("L", (331, 468), 255)
    ImageDraw.Draw(moved).rectangle((40, 103, 290, 107), fill=0)

    def png(image: Image.Image) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page-1.png"
        path.write_bytes(png(base))
        assert compare(png(base), path, 1).matches
        assert not compare(png(moved), path, 1).matches
