"""Covers: a square cover image per feed, legible and correct in the feed's script.

Arabic letters change shape with their neighbours and run right to left. Pillow's
wheels shape text with raqm when it is available; where it is not, Pillow would draw
isolated letters left to right, so the text is shaped (arabic-reshaper) and put in
visual order (python-bidi) first.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import arabic_reshaper
from bidi import get_display
from PIL import Image, ImageDraw, ImageFont, features

from bulletins.atomic import atomic_output
from bulletins.errors import ConfigError

# Apple asks for 1400 to 3000 pixels square; 1400 keeps the file small.
SIZE = 1400
BACKGROUND = (10, 45, 90)  # deep blue: white text on it has a contrast ratio above 12:1
FOREGROUND = (255, 255, 255)
# Fonts that cover Latin and Arabic, in the places Debian, Fedora and macOS keep them.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)


def visual(text: str, layout_engine_shapes: bool) -> str:
    """Text as it must be handed to Pillow.

    With its complex-text layout engine (raqm), Pillow shapes and orders text itself and
    must get it in logical order; without it, Arabic is shaped and put in visual order here.
    """
    if layout_engine_shapes or not any("\u0600" <= char <= "\u06ff" for char in text):
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


def _font(size: int, font: Path | None) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in ([str(font)] if font else []) + list(FONT_CANDIDATES):
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def make_cover(path: Path, title: str, language_name: str, font: Path | None = None) -> None:
    """Draw a cover: the series name and the language's own name, centred, large."""
    shapes = bool(features.check("raqm")) and isinstance(_font(10, font), ImageFont.FreeTypeFont)
    image = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font, language_font = _font(120, font), _font(150, font)
    lines = textwrap.wrap(title, width=18)[:5]
    y = 260
    for line in lines:
        shown = visual(line, shapes)
        width = draw.textlength(shown, font=title_font)
        draw.text(((SIZE - width) / 2, y), shown, font=title_font, fill=FOREGROUND)
        y += 150
    shown = visual(language_name, shapes)
    width = draw.textlength(shown, font=language_font)
    draw.rectangle((120, SIZE - 420, SIZE - 120, SIZE - 410), fill=FOREGROUND)
    draw.text(((SIZE - width) / 2, SIZE - 360), shown, font=language_font, fill=FOREGROUND)
    with atomic_output(path) as temporary:
        image.save(temporary, format="PNG", optimize=True)


def check_cover(path: Path) -> None:
    """Refuse a cover podcast directories would reject.

    Raises:
        ConfigError: not a JPEG or PNG, not square, not 1400 to 3000 px, or not RGB.
    """
    try:
        with Image.open(path) as image:
            kind, mode, (width, height) = image.format, image.mode, image.size
    except (OSError, SyntaxError) as exc:
        raise ConfigError(f"{path}: is not an image Pillow can read: {exc}") from exc
    if kind not in ("JPEG", "PNG"):
        raise ConfigError(f"{path}: a cover must be JPEG or PNG, not {kind}")
    if width != height or not 1400 <= width <= 3000:
        raise ConfigError(
            f"{path}: a cover must be square, 1400 to 3000 px; it is {width}x{height}"
        )
    if mode != "RGB":
        raise ConfigError(f"{path}: a cover must be RGB (no transparency, no CMYK); it is {mode}")
