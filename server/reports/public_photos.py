"""Photos sent with a public report: checked as real JPEG or PNG images, then re-encoded without metadata.

Unlike an inspector's evidence (sync/photos.py keeps the phone's original bytes, hashed at capture), a
reporter's original is NOT kept: its EXIF can carry the GPS position where it was taken, the phone's make,
serial number and owner name — enough to tell an employer who reported. Each photo is decoded in full
(so a truncated or fake file is refused), turned upright, shrunk to at most LONG_EDGE pixels and saved as
a fresh JPEG with no EXIF, XMP, comment or ICC profile; a thumbnail is made the same way. The pixel limit
is checked on the header before anything is decoded (decompression bombs).
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps

from i18n import Problem

FORMATS = ("JPEG", "PNG")
MAX_PIXELS = 40_000_000
LONG_EDGE, THUMB_EDGE = 2048, 320
QUALITY = 85


@dataclass(frozen=True)
class CleanPhoto:
    image: bytes        # the re-encoded JPEG that is kept
    thumbnail: bytes
    width: int
    height: int
    source_format: str  # what was sent: JPEG or PNG


def clean(data: bytes, max_bytes: int) -> CleanPhoto:
    """Check one uploaded file and return its metadata-free JPEGs; Problem("report.photo_*") otherwise."""
    if not data:
        raise Problem("report.photo_empty")
    if len(data) > max_bytes:
        raise Problem("report.photo_too_large", max_mb=max_bytes // (1024 * 1024))
    if ImageFile.LOAD_TRUNCATED_IMAGES:   # see sync/photos.py: half a picture must not pass
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on; photo checks need it off")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Problem("report.photo_too_many_pixels") from None
    except Exception:  # UnidentifiedImageError and any parser fault on hostile headers
        # A JPEG or PNG signature with a header that does not parse is a damaged photo, not another format.
        broken = data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"
        raise Problem("report.photo_broken" if broken else "report.photo_not_image") from None
    with im:
        width, height = im.size
        if width < 1 or height < 1 or width * height > MAX_PIXELS:
            raise Problem("report.photo_too_many_pixels")
        fmt = im.format
        try:
            if fmt == "JPEG":
                # libjpeg decodes at 1/2, 1/4 or 1/8 scale (still reading the whole file, so truncation is
                # still found): a 24 MP photo costs a fraction of a full decode.
                im.draft("RGB", (LONG_EDGE, LONG_EDGE))
            im.load()
            upright = ImageOps.exif_transpose(im)
        except Exception:  # truncated or corrupt data, a decoder fault on damaged input
            raise Problem("report.photo_broken") from None
    rgb = _flatten(upright)
    big = rgb.copy()
    big.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS)
    small = rgb.copy()
    small.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    return CleanPhoto(_encode(big), _encode(small), big.width, big.height, fmt)


def _flatten(im: Image.Image) -> Image.Image:
    # A PNG with transparency is put on white (JPEG has no alpha).
    if im.mode in ("RGBA", "LA", "P"):
        rgba = im.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return im if im.mode == "RGB" else im.convert("RGB")


def _encode(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.info = {}   # nothing of the original's metadata goes along
    im.save(out, "JPEG", quality=QUALITY)
    return out.getvalue()
