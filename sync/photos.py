"""The photo pipeline (现场照片): verify a phone's JPEG, derive a thumbnail and a watermarked copy; bytes in, bytes out."""
from __future__ import annotations

import hashlib
import hmac
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from functools import lru_cache

from PIL import ExifTags, Image, ImageDraw, ImageFile, ImageFont, ImageOps

from i18n import Problem

JPEG_FORMATS = ("JPEG", "MPO")  # MPO: the multi-picture JPEG some phones write; its first frame is a JPEG
# Identification only (never decoded): a short list of common formats, so that Pillow's rarer plugins
# never parse hostile bytes, while a PNG or WebP still gets "not a JPEG" rather than "not an image".
IDENTIFIABLE = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "BMP", "TIFF", "ICO", "PPM", "JPEG2000")
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",           # Debian fonts-wqy-zenhei (the Makefile installs it)
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian fonts-noto-cjk
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",       # Arch, Fedora
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
DEFAULT_FONT = "pillow-default"
MAX_CAPTION_LINES = 6
MAX_CAPTION_CHARS = 120
THUMB_QUALITY = 80
PREVIEW_QUALITY = 85
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# EXIF orientations 5-8 turn the picture a quarter, so the upright width and height are swapped.
_QUARTER_TURNS = {5, 6, 7, 8}


@dataclass(frozen=True)
class ProcessedPhoto:
    """A verified photo: its hash, upright size and format, and the derived JPEGs (the original is not here)."""
    sha256: str
    width: int
    height: int
    format: str
    thumbnail: bytes
    watermarked: bytes
    font: str  # path of the caption font, or DEFAULT_FONT when no CJK font is installed


def process_photo(data: bytes, expected_sha256: str, *, caption_lines: list[str],
                  max_bytes: int = 15 * 1024 * 1024, max_pixels: int = 40_000_000,
                  thumb_edge: int = 320, preview_edge: int = 1600) -> ProcessedPhoto:
    """Check a photo as evidence and make its derived images; raises Problem("photo.*") on any fault.

    The original bytes are only read, never re-encoded: they stay the evidence the phone hashed.
    """
    data = bytes(data)
    if not data:
        raise Problem("photo.empty")
    if len(data) > max_bytes:
        raise Problem("photo.too_large", size_mb=_mb(len(data)), max_mb=_mb(max_bytes))
    digest = verify_hash(data, expected_sha256)
    with open_jpeg(data, max_pixels) as im:
        width, height, fmt = *upright_size(im), im.format
    thumbnail = make_thumbnail(data, thumb_edge=thumb_edge, max_pixels=max_pixels)
    preview = _render(data, preview_edge, max_pixels)
    font = caption_font_path()
    _draw_caption(preview, caption_lines, font)
    return ProcessedPhoto(sha256=digest, width=width, height=height, format=fmt, thumbnail=thumbnail,
                          watermarked=_encode(preview, PREVIEW_QUALITY), font=font or DEFAULT_FONT)


def verify_hash(data: bytes, expected_sha256: str) -> str:
    """The SHA-256 of `data` (hex), if it equals the one the phone computed at capture."""
    expected = str(expected_sha256 or "").strip().lower()
    if not _SHA256.fullmatch(expected):
        raise Problem("photo.hash_invalid")
    actual = hashlib.sha256(data).hexdigest()
    if not hmac.compare_digest(actual, expected):
        raise Problem("photo.hash_mismatch", expected=expected[:12], actual=actual[:12])
    return actual


def make_thumbnail(data: bytes, *, thumb_edge: int = 320, max_pixels: int = 40_000_000) -> bytes:
    """An upright JPEG thumbnail at most `thumb_edge` pixels on its long side."""
    return _encode(_render(data, thumb_edge, max_pixels), THUMB_QUALITY)


def open_jpeg(data: bytes, max_pixels: int) -> Image.Image:
    """Open (header only, nothing decoded) a JPEG within the pixel limit; Problem otherwise."""
    _require_strict_loading()
    try:
        # A bomb warning becomes an error here, so Pillow's own limit refuses too; the local check
        # below is the one that counts (catch_warnings is process-wide, hence not relied on alone).
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=_identifiable())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise Problem("photo.too_many_pixels", pixels=found[1] if found else "?", max_pixels=max_pixels) from None
    except Exception:  # UnidentifiedImageError, and any parser fault on hostile headers
        raise _unreadable(data) from None
    width, height = im.size
    if width < 1 or height < 1 or width * height > max_pixels:
        im.close()
        raise Problem("photo.too_many_pixels", pixels=f"{width}x{height}", max_pixels=max_pixels)
    if im.format not in JPEG_FORMATS:
        kind = im.format
        im.close()
        raise Problem("photo.not_jpeg", kind=kind)
    return im


@lru_cache(maxsize=1)
def _identifiable() -> tuple[str, ...]:
    # Image.open fails on a format this Pillow build did not register (AVIF, WebP are optional), and the
    # JPEG opener also returns MPO files, so the list is cut to what is registered.
    Image.init()
    return tuple(name for name in IDENTIFIABLE if name in Image.OPEN)


def upright_size(im: Image.Image) -> tuple[int, int]:
    """Width and height as the photo is meant to be seen (after its EXIF orientation)."""
    width, height = im.size
    return (height, width) if _orientation(im) in _QUARTER_TURNS else (width, height)


def _render(data: bytes, edge: int, max_pixels: int) -> Image.Image:
    """Decode at the smallest sufficient scale, turn upright, and fit within `edge` (RGB)."""
    with open_jpeg(data, max_pixels) as im:
        icc = im.info.get("icc_profile") if im.mode == "RGB" else None  # a CMYK profile is wrong for RGB
        # Draft mode makes libjpeg decode at 1/2, 1/4 or 1/8 scale (the scaled inverse DCT does the
        # shrinking, skipping most of the IDCT, upsampling and colour work): a 12 MP photo becomes 500x375
        # for a 320-px thumbnail and is never decoded whole. Draft never goes below the size asked for, and
        # its reduction is an area average, so asking for the target itself (not twice it, which would
        # mean 1/4 scale) keeps the final LANCZOS step sharp while decoding the least.
        try:
            im.draft("RGB", _fit(im.size, edge))
            im.load()
        except OSError as exc:
            truncated = "truncated" in str(exc)
            raise Problem("photo.truncated" if truncated else "photo.corrupt") from None
        except Exception:  # decoder faults (e.g. SyntaxError, ValueError, MemoryError) on damaged data
            raise Problem("photo.corrupt") from None
        try:
            upright = ImageOps.exif_transpose(im)
        except Exception:  # a malformed EXIF block must not lose the photo: show it as stored
            upright = im.copy()
    rgb = upright if upright.mode == "RGB" else upright.convert("RGB")
    rgb.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    rgb.info = {"icc_profile": icc} if icc else {}  # nothing else of the original's metadata goes along
    return rgb


def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # malformed EXIF: treat as upright, as _render does
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _encode(im: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No EXIF is copied: derived images carry no GPS or device tags beyond the visible caption.
    im.save(out, "JPEG", quality=quality, icc_profile=im.info.get("icc_profile"))
    return out.getvalue()


def _require_strict_loading() -> None:
    # Truncation is detected only while this Pillow-wide switch is off; someone turning it on elsewhere
    # would make half a photo pass as evidence, so refuse to run rather than accept it silently.
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on; the photo pipeline needs it off")


def _unreadable(data: bytes) -> Problem:
    """The most helpful Problem for bytes Pillow could not open: HEIC (iPhones), a broken JPEG, or no image."""
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return Problem("photo.not_jpeg", kind="HEIC")
    if data[:3] == b"\xff\xd8\xff":
        return Problem("photo.corrupt")
    return Problem("photo.not_image")


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}"


def caption_font_path() -> str | None:
    """The first installed CJK font that loads, or None (then Pillow's default font, without Chinese glyphs)."""
    return _first_loadable(CJK_FONTS)


@lru_cache(maxsize=4)
def _first_loadable(paths: tuple[str, ...]) -> str | None:
    for path in paths:
        try:
            ImageFont.truetype(path, 12)
        except OSError:  # missing or damaged: try the next one rather than lose the photo
            continue
        return path
    return None


@lru_cache(maxsize=32)
def _font(path: str | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def clean_caption(lines: list[str]) -> list[str]:
    """Caption lines made safe to draw: no control or bidi-override characters, bounded in count and length."""
    cleaned = []
    for line in list(lines or [])[:MAX_CAPTION_LINES]:
        text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in str(line))
        text = " ".join(text.split())[:MAX_CAPTION_CHARS]
        if text:
            cleaned.append(text)
    return cleaned


def _draw_caption(im: Image.Image, lines: list[str], font_path: str | None) -> None:
    """Draw the lines in white on a translucent dark band across the bottom of `im` (in place)."""
    lines = clean_caption(lines)
    if not lines:
        return
    width, height = im.size
    # Size from the width, then no taller than a third of the picture, then shrunk to fit the longest line.
    size = max(8, min(width // 36, int(height / 3 / (len(lines) * 1.3 + 0.6)), 64))
    font = _font(font_path, size)
    margin = max(4, size // 2)
    widest = max(font.getlength(line) for line in lines)
    if widest > width - 2 * margin and size > 8:
        size = max(8, int(size * (width - 2 * margin) / widest))
        font = _font(font_path, size)
    line_height = round(size * 1.3)
    band_top = max(0, height - len(lines) * line_height - margin)
    band = im.crop((0, band_top, width, height)).convert("RGBA")
    overlay = Image.new("RGBA", band.size, (0, 0, 0, 150))
    draw = ImageDraw.Draw(overlay)
    for i, line in enumerate(lines):
        draw.text((margin, margin // 2 + i * line_height), _fit_text(line, font, width - 2 * margin),
                  font=font, fill=(255, 255, 255, 255))
    im.paste(Image.alpha_composite(band, overlay).convert("RGB"), (0, band_top))


def _fit_text(text: str, font, room: float) -> str:
    """The text, cut with an ellipsis if it is still wider than `room` at the smallest size."""
    if font.getlength(text) <= room:
        return text
    while text and font.getlength(text + "…") > room:
        text = text[:-1]
    return text + "…"
