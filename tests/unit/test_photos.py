"""The photo pipeline: verified evidence, upright derived images, and refusal of hostile or broken files."""
from __future__ import annotations

import hashlib
import io
import random
import resource
import struct
import time
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

import sync.photos as photos
from i18n import Problem
from sync.photos import clean_caption, process_photo

RED, BLUE = (230, 20, 20), (20, 20, 230)
CAPTION = ["2026-11-22 14:03 (北京时间)", "历下区经十路100号 36.66123,117.05321 ±8m", "检查员 张三 李四"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode(im: Image.Image, fmt: str = "JPEG", **kw) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **kw)
    return out.getvalue()


def scene(size=(400, 200)) -> Image.Image:
    """Blue picture with a red block in the stored top-left corner, to see where rotation puts it."""
    im = Image.new("RGB", size, BLUE)
    im.paste(RED, (0, 0, size[0] // 4, size[1] // 4))
    return im


def jpeg(size=(400, 200), orientation: int | None = None, mode="RGB") -> bytes:
    im = scene(size)
    if mode != "RGB":
        im = im.convert(mode)
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    return encode(im, quality=90, exif=exif.tobytes())


def run(data: bytes, **kw):
    kw.setdefault("caption_lines", CAPTION)
    return process_photo(data, sha(data), **kw)


def problem(data: bytes, expected: str | None = None, **kw) -> Problem:
    kw.setdefault("caption_lines", CAPTION)
    with pytest.raises(Problem) as caught:
        process_photo(data, expected or sha(data), **kw)
    assert "{" not in caught.value.message("zh_CN") and "{" not in caught.value.message("en")
    return caught.value


def is_red(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 150 and g < 90 and b < 90


def test_a_normal_photo_is_verified_and_derived_images_are_made():
    data = jpeg((1200, 900))
    kept = bytes(data)
    result = run(data)
    assert result.sha256 == sha(kept) and (result.width, result.height) == (1200, 900)
    assert result.format == "JPEG" and data == kept  # the evidence is never touched
    thumb = Image.open(io.BytesIO(result.thumbnail))
    assert thumb.format == "JPEG" and max(thumb.size) == 320 and thumb.size == (320, 240)
    marked = Image.open(io.BytesIO(result.watermarked))
    marked.load()
    assert marked.format == "JPEG" and marked.size == (1200, 900)  # smaller than preview_edge: not enlarged
    assert "exif" not in marked.info and "exif" not in thumb.info  # no device tags or GPS copied out


def test_a_mutable_buffer_is_only_read():
    data = bytearray(jpeg())
    kept = bytes(data)
    run(data)
    assert bytes(data) == kept


def test_the_preview_is_bounded_by_preview_edge():
    result = run(jpeg((2000, 1000)), preview_edge=800, thumb_edge=100)
    assert Image.open(io.BytesIO(result.watermarked)).size == (800, 400)
    assert Image.open(io.BytesIO(result.thumbnail)).size == (100, 50)


@pytest.mark.parametrize("orientation, red_corner", [(6, "top_right"), (8, "bottom_left"), (1, "top_left")])
def test_exif_orientation_turns_the_photo_upright(orientation, red_corner):
    result = run(jpeg((400, 200), orientation))
    quarter = orientation in (6, 8)
    assert (result.width, result.height) == ((200, 400) if quarter else (400, 200))
    thumb = Image.open(io.BytesIO(result.thumbnail)).convert("RGB")
    w, h = thumb.size
    assert (w, h) == ((160, 320) if quarter else (320, 160))
    corners = {"top_left": (5, 5), "top_right": (w - 6, 5), "bottom_left": (5, h - 6), "bottom_right": (w - 6, h - 6)}
    for name, xy in corners.items():
        assert is_red(thumb.getpixel(xy)) == (name == red_corner), (name, thumb.getpixel(xy))


@pytest.mark.parametrize("mode", ["CMYK", "L"])
def test_cmyk_and_greyscale_jpegs_give_rgb_derived_images(mode):
    result = run(jpeg((300, 300), mode=mode))
    for data in (result.thumbnail, result.watermarked):
        im = Image.open(io.BytesIO(data))
        assert im.mode == "RGB"
    corner = Image.open(io.BytesIO(result.thumbnail)).getpixel((5, 5))
    if mode == "CMYK":
        assert is_red(corner), corner  # colours survive the CMYK round trip (no inverted Adobe CMYK)


@pytest.mark.parametrize("mode, kept", [("RGB", True), ("CMYK", False)])
def test_a_colour_profile_follows_only_rgb_photos(mode, kept):
    from PIL import ImageCms
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = run(encode(Image.new(mode, (100, 80)), icc_profile=srgb))
    assert ("icc_profile" in Image.open(io.BytesIO(result.thumbnail)).info) is kept


def test_a_multi_picture_jpeg_from_a_phone_is_accepted():
    frames = [scene((300, 200)), scene((300, 200)).rotate(180)]
    data = encode(frames[0], "MPO", save_all=True, append_images=frames[1:])
    assert run(data).format == "MPO"


def test_a_wrong_hash_names_both_hashes():
    data = jpeg()
    err = problem(data, expected="ab" * 32)
    assert err.code == "photo.hash_mismatch"
    assert err.params == {"expected": "ab" * 6, "actual": sha(data)[:12]}


@pytest.mark.parametrize("expected", ["", "xyz", "AB" * 31, "g" * 64, None])
def test_a_malformed_expected_hash_is_refused(expected):
    with pytest.raises(Problem) as caught:
        process_photo(jpeg(), expected, caption_lines=[])
    assert caught.value.code == "photo.hash_invalid"


def test_an_upper_case_expected_hash_is_accepted():
    data = jpeg()
    assert process_photo(data, sha(data).upper(), caption_lines=[]).sha256 == sha(data)


def test_an_empty_file_is_refused():
    assert problem(b"").code == "photo.empty"


def test_random_bytes_are_not_an_image():
    noise = bytes(random.Random(7).randrange(256) for _ in range(5000))
    assert problem(b"\x00" + noise).code == "photo.not_image"


def test_jpeg_magic_followed_by_garbage_is_corrupt():
    assert problem(b"\xff\xd8\xff\xe0" + b"\x00" * 300).code == "photo.corrupt"


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "WEBP", "BMP", "TIFF"])
def test_other_image_formats_are_refused_by_name(fmt):
    err = problem(encode(scene((60, 40)), fmt))
    assert err.code == "photo.not_jpeg" and err.params == {"kind": fmt}


def test_heic_from_an_iphone_is_named():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
    assert problem(heic).params == {"kind": "HEIC"}


@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_cut_at_half_is_truncated(progressive):
    data = encode(Image.effect_noise((300, 300), 60).convert("RGB"), quality=90, progressive=progressive)
    assert problem(data[: len(data) // 2]).code == "photo.truncated"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_the_pipeline_refuses_to_run_if_truncated_images_are_allowed(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        run(jpeg())


def patched_jpeg(width: int, height: int) -> bytes:
    """A tiny real JPEG whose frame header (SOF0) claims another size."""
    data = bytearray(jpeg((16, 16)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def patched_png(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR claims another size, with its CRC recomputed so that it parses."""
    data = bytearray(encode(Image.new("RGB", (1, 1)), "PNG"))
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def refused_cheaply(data: bytes, **kw) -> Problem:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    err = problem(data, **kw)
    assert time.perf_counter() - started < 0.5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 50_000  # KiB: nothing near the claim
    return err


@pytest.mark.parametrize("make", [patched_jpeg, patched_png])
def test_a_decompression_bomb_is_refused_without_decoding(make, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(Image, "MAX_IMAGE_PIXELS", None)
        assert Image.open(io.BytesIO(make(30000, 30000))).size == (30000, 30000)  # the header really claims it
    err = refused_cheaply(make(30000, 30000))
    assert err.code == "photo.too_many_pixels" and err.params["max_pixels"] == 40_000_000


def test_the_local_pixel_limit_holds_below_pillows_global_one(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # even with Pillow's own check switched off
    err = refused_cheaply(patched_jpeg(2000, 2000), max_pixels=1_000_000)
    assert err.code == "photo.too_many_pixels" and err.params["pixels"] == "2000x2000"
    assert refused_cheaply(patched_png(9000, 6000)).code == "photo.too_many_pixels"


def test_an_oversized_file_is_refused_before_hashing():
    err = problem(jpeg(), expected="0" * 64, max_bytes=1000)
    assert err.code == "photo.too_large" and err.params["max_mb"] == "0.0"


def test_a_polyglot_is_processed_and_kept_as_sent():
    data = jpeg() + b"<script>alert(document.cookie)</script>"
    kept = bytes(data)
    result = run(data)
    assert data == kept and result.sha256 == sha(kept)
    assert b"<script>" not in result.thumbnail and b"<script>" not in result.watermarked


def band(result) -> Image.Image:
    im = Image.open(io.BytesIO(result.watermarked)).convert("L")
    return im.crop((0, im.height * 3 // 4, im.width, im.height))


def test_caption_markup_is_drawn_as_pixels_not_kept_as_text():
    data = jpeg((800, 600))
    bare = run(data, caption_lines=[])
    marked = run(data, caption_lines=["<script>alert(1)</script>", "&lt;b&gt;"])
    assert b"<script>" not in marked.watermarked and b"&lt;" not in marked.watermarked
    assert max(band(marked).get_flattened_data()) > 200 > max(band(bare).get_flattened_data())  # white text on the dark band


def test_caption_lines_are_cleaned_and_bounded():
    assert clean_caption(["a\nb\x00c", "\u202eevil", "  ", 42]) == ["a b c", "evil", "42"]
    assert len(clean_caption(["x" * 1000] * 50)) == photos.MAX_CAPTION_LINES
    assert len(clean_caption(["x" * 1000])[0]) == photos.MAX_CAPTION_CHARS
    result = run(jpeg((200, 60)), caption_lines=["很长的地址" * 40] * 20)  # tiny picture, huge caption
    assert Image.open(io.BytesIO(result.watermarked)).size == (200, 60)


def test_the_cjk_font_is_used_when_installed():
    font = photos.caption_font_path()
    if font is None:
        pytest.skip("no CJK font installed (make fonts installs fonts-wqy-zenhei)")
    assert run(jpeg()).font == font


def test_without_a_cjk_font_pillows_default_is_used_and_recorded(monkeypatch, tmp_path):
    damaged = tmp_path / "damaged.ttc"
    damaged.write_bytes(b"not a font")
    monkeypatch.setattr(photos, "CJK_FONTS", ("/nonexistent/font.ttc", str(damaged)))
    result = run(jpeg((800, 600)))
    assert result.font == photos.DEFAULT_FONT and max(band(result).get_flattened_data()) > 200


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), min_size=1, max_size=8),
       st.integers(0, 2200))
def test_damaged_jpegs_never_escape_as_pillow_errors(edits, cut):
    data = bytearray(FUZZ_BASE)
    for offset, value in edits:
        data[offset % len(data)] = value
    data = bytes(data[: max(1, len(data) - cut)])
    try:
        result = run(data, caption_lines=["x"])
    except Problem as err:
        assert err.code.startswith("photo.")
    else:
        assert result.sha256 == sha(data) and Image.open(io.BytesIO(result.thumbnail)).size


FUZZ_BASE = jpeg((64, 48), orientation=6)
