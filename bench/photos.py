"""Benchmark: 320-px thumbnails of phone-size JPEGs, the project way (JPEG draft mode) against a full decode.

    python bench/photos.py --photos 200        last line: thumbnail_speedup=<plain time / project time>

The photos (4000x3000, quality 85, 2-3 MB) are generated once into a temporary directory: gradients, noise
at several scales (a photo's detail is spread across scales, unlike white noise) and flat shapes with
edges, so they do not compress trivially. Both ways run on the same bytes, alternating which goes first,
and produce the same thumbnail size; the plain way is what Pillow does when the image is already loaded.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageChops, ImageDraw, ImageOps  # noqa: E402

from sync.photos import THUMB_QUALITY, make_thumbnail, process_photo  # noqa: E402

SIZE = (4000, 3000)
EDGE = 320
# Weight of each noise octave (1 = full resolution, 4 = quarter resolution, smoothed up), chosen so that
# quality-85 files land at 2-3 MB like a 12 MP phone photo.
OCTAVES = {4: 0.5, 2: 0.4, 1: 0.25}
TEXTURE = 0.6
PIPELINE_SAMPLE = 20  # photos timed through the whole process_photo call


class PhotoMaker:
    """Makes distinct phone-like JPEGs cheaply: the noise octaves are drawn once and shifted per photo."""

    def __init__(self) -> None:
        w, h = SIZE
        self.layers = {div: Image.effect_noise((w // div + 1, h // div + 1), 60).resize(SIZE, Image.Resampling.BICUBIC)
                       for div in OCTAVES}
        across = Image.linear_gradient("L").rotate(90).resize(SIZE)
        down = Image.linear_gradient("L").resize(SIZE)
        self.gradients = (across, down, ImageChops.multiply(across, down))

    def texture(self, rnd: random.Random) -> Image.Image:
        acc = None
        for div, weight in OCTAVES.items():
            layer = ImageChops.offset(self.layers[div], rnd.randrange(SIZE[0]), rnd.randrange(SIZE[1]))
            acc = layer if acc is None else Image.blend(acc, layer, weight)
        return acc

    def photo(self, seed: int) -> bytes:
        rnd = random.Random(seed)
        im = Image.merge("RGB", [Image.blend(g, self.texture(rnd), TEXTURE) for g in self.gradients])
        draw = ImageDraw.Draw(im)
        for _ in range(12):
            x, y, side = rnd.randrange(SIZE[0]), rnd.randrange(SIZE[1]), rnd.randrange(100, 900)
            draw.rectangle((x, y, x + side, y + side * 2 // 3), fill=tuple(rnd.randrange(256) for _ in range(3)))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=85)
        return out.getvalue()


def generate(n: int, directory: Path) -> list[Path]:
    """Write `n` generated photos into `directory` and return their paths."""
    maker = PhotoMaker()
    paths = []
    for i in range(n):
        path = directory / f"photo{i:04d}.jpg"
        path.write_bytes(maker.photo(i))
        paths.append(path)
    return paths


def plain_resize(data: bytes) -> bytes:
    """The baseline the issue names: the whole photo decoded, then resized (LANCZOS) to the same size."""
    im = Image.open(io.BytesIO(data))
    im.load()
    im = ImageOps.exif_transpose(im).convert("RGB")
    scale = EDGE / max(im.size)
    im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=THUMB_QUALITY)
    return out.getvalue()


def plain_thumbnail(data: bytes) -> bytes:
    """A stronger baseline: the whole photo decoded, then Image.thumbnail (which reduces before resampling)."""
    im = Image.open(io.BytesIO(data))
    im.load()  # decoded at full size; Image.thumbnail's own draft step does nothing once loaded
    im.thumbnail((EDGE, EDGE), Image.Resampling.LANCZOS)
    im = ImageOps.exif_transpose(im).convert("RGB")
    out = io.BytesIO()
    im.save(out, "JPEG", quality=THUMB_QUALITY)
    return out.getvalue()


def timed(fn, data: bytes) -> tuple[float, bytes]:
    started = time.perf_counter()
    result = fn(data)
    return time.perf_counter() - started, result


def measure(n: int = 200) -> dict:
    """Generate `n` photos and time both thumbnail ways on them; seconds are totals over all photos."""
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp:
        started = time.perf_counter()
        paths = generate(n, Path(tmp))
        generate_s = time.perf_counter() - started
        totals = {"project": 0.0, "plain": 0.0, "plain_thumbnail": 0.0}
        total_bytes = 0
        for i, path in enumerate(paths):
            data = path.read_bytes()
            total_bytes += len(data)
            ways = [(make_thumbnail, "project"), (plain_resize, "plain"), (plain_thumbnail, "plain_thumbnail")]
            outputs = {}
            for fn, name in ways[i % 3:] + ways[:i % 3]:   # rotate the order: no way always goes first
                seconds, outputs[name] = timed(fn, data)
                totals[name] += seconds
            sizes = {name: Image.open(io.BytesIO(out)).size for name, out in outputs.items()}
            if len(set(sizes.values())) != 1:
                raise AssertionError(f"thumbnail sizes differ: {sizes}")
        project_s, plain_s = totals["project"], totals["plain"]
        process_ms = whole_pipeline_ms(paths[:PIPELINE_SAMPLE])
    return {"photos": n, "mean_mb": total_bytes / n / 2**20, "generate_s": generate_s,
            "project_s": project_s, "plain_s": plain_s, "plain_thumbnail_s": totals["plain_thumbnail"],
            "process_photo_ms": process_ms, "thumbnail_speedup": plain_s / project_s,
            "speedup_vs_pillow_thumbnail": totals["plain_thumbnail"] / project_s}


def whole_pipeline_ms(paths: list[Path]) -> float:
    """Mean time of the worker's whole call (hash, checks, thumbnail, watermarked copy) per photo."""
    caption = ["2026-11-22 14:03 (北京时间)", "历下区经十路100号 36.66123,117.05321 ±8m", "检查员 张三 李四"]
    total = 0.0
    for path in paths:
        data = path.read_bytes()
        started = time.perf_counter()
        process_photo(data, hashlib.sha256(data).hexdigest(), caption_lines=caption)
        total += time.perf_counter() - started
    return total / max(1, len(paths)) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    args = parser.parse_args(argv)
    result = measure(args.photos)
    n = result["photos"]
    print(f"generated {n} photos of {SIZE[0]}x{SIZE[1]}, mean {result['mean_mb']:.2f} MB, "
          f"in {result['generate_s']:.1f}s")
    print(f"project (draft mode): {result['project_s']:.2f}s total, {result['project_s'] / n * 1000:.1f} ms/photo")
    print(f"plain (full decode + resize): {result['plain_s']:.2f}s total, {result['plain_s'] / n * 1000:.1f} ms/photo")
    print(f"full decode + Image.thumbnail (reduces first): {result['plain_thumbnail_s']:.2f}s total, "
          f"speedup against it {result['speedup_vs_pillow_thumbnail']:.2f}")
    print(f"whole process_photo (thumbnail + 1600-px watermarked copy): {result['process_photo_ms']:.0f} ms/photo")
    print(f"thumbnail_speedup={result['thumbnail_speedup']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
