"""Covers: square RGB images of the size Apple asks for, with Arabic shaped when Pillow cannot."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from bulletins.covers import SIZE, make_cover, visual


def test_cover_is_a_square_rgb_png(tmp_path: Path) -> None:
    """The drawn cover is 1400 px square RGB PNG, with text drawn on it."""
    path = tmp_path / "cover.png"
    make_cover(path, "Surrey Community Safety News", "العربية")
    image = Image.open(path)
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (SIZE, SIZE))
    assert 1400 <= SIZE <= 3000
    assert (
        len(image.getcolors(maxcolors=100_000) or []) > 2
    )  # background, text and its anti-aliasing


def test_arabic_is_shaped_and_ordered_without_a_layout_engine() -> None:
    """Without raqm, Arabic becomes joined presentation forms in right-to-left visual order."""
    shown = visual("العربية", layout_engine_shapes=False)
    assert all("\ufe70" <= char <= "\ufeff" or "\ufb50" <= char <= "\ufdff" for char in shown)
    assert shown[0] == "\ufe94"  # the final teh marbuta, drawn leftmost
    assert visual("العربية", layout_engine_shapes=True) == "العربية"
    assert visual("Italiano", layout_engine_shapes=False) == "Italiano"
