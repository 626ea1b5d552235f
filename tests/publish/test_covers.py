"""Covers: square RGB images of the size Apple asks for, with Arabic shaped when Pillow cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from bulletins.errors import ConfigError
from bulletins.publish.covers import SIZE, check_cover, make_cover, visual


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


@pytest.mark.parametrize(
    ("size", "mode", "kind", "message"),
    [
        ((1400, 1400), "RGB", "PNG", None),
        ((3000, 3000), "RGB", "JPEG", None),
        ((1400, 1000), "RGB", "PNG", "must be square, 1400 to 3000 px; it is 1400x1000"),
        ((1000, 1000), "RGB", "PNG", "must be square, 1400 to 3000 px; it is 1000x1000"),
        ((1400, 1400), "RGBA", "PNG", "must be RGB"),
        ((1400, 1400), "RGB", "GIF", "must be JPEG or PNG, not GIF"),
    ],
)
def test_user_cover_is_checked(
    tmp_path: Path, size: tuple[int, int], mode: str, kind: str, message: str | None
) -> None:
    """A user's cover must be a square RGB JPEG or PNG of 1400 to 3000 px."""
    path = tmp_path / f"cover.{kind.lower()}"
    Image.new(mode, size).save(path, format=kind)
    if message is None:
        check_cover(path)
    else:
        with pytest.raises(ConfigError, match=message):
            check_cover(path)
