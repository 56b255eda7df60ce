"""Reading PDFs back in tests with Debian's poppler-utils (pdftotext, pdffonts, pdfinfo, pdfimages, pdftoppm)."""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

# Closing punctuation that must never start a line (禁则): ，。、；：？！）》」』〕】…
CLOSING = "，。、；：？！）》」』〕】”’％"


def _run(tool: str, pdf: bytes, *args: str) -> str:
    done = subprocess.run([tool, *args, "-", "-"] if tool in ("pdftotext",) else [tool, *args, "-"],
                          input=pdf, capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")


def text(pdf: bytes, layout: bool = False) -> str:
    """The text as read back from the glyphs (ToUnicode): a missing glyph or tofu shows up as missing text."""
    return _run("pdftotext", pdf, *(["-layout"] if layout else []), "-enc", "UTF-8")


def flat(pdf: bytes) -> str:
    """The text in drawing order (a table cell stays whole), line breaks and spaces removed."""
    return re.sub(r"\s+", "", _run("pdftotext", pdf, "-raw", "-enc", "UTF-8"))


def fonts(pdf: bytes) -> list[dict]:
    lines = _run("pdffonts", pdf).splitlines()[2:]
    out = []
    for line in lines:
        parts = line.split()
        # name type... emb sub uni object ID: the three yes/no columns sit before the last two
        out.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return out


def pages(pdf: bytes) -> int:
    info = _run("pdfinfo", pdf)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def words(pdf: bytes) -> tuple[float, list[tuple[float, float, str]]]:
    """(page width, [(xMin, xMax, word)]) of every word on every page."""
    html = _run("pdftotext", pdf, "-bbox")
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    found = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', html)
    return width, [(float(a), float(b), w) for a, b, w in found]


def images(pdf: bytes) -> list[dict]:
    """The raster images (not their soft masks): page, width, height."""
    rows = _run("pdfimages", pdf, "-list").splitlines()[2:]
    out = []
    for row in rows:
        cells = row.split()
        if cells[2] == "image":
            out.append({"page": int(cells[0]), "width": int(cells[3]), "height": int(cells[4])})
    return out


def extracted_rgba(pdf: bytes) -> list[Image.Image]:
    """Each embedded image with its soft mask put back as alpha, as the PDF shows it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdfimages", "-png", str(path), str(Path(tmp) / "img")], check=True, timeout=60)
        files = sorted(Path(tmp).glob("img-*.png"))
        kinds = [row.split()[2] for row in _run("pdfimages", pdf, "-list").splitlines()[2:]]
        out = []
        for file, kind in zip(files, kinds):
            with Image.open(file) as picture:
                picture.load()
                if kind == "smask" and out:
                    out[-1].putalpha(picture.convert("L"))
                elif kind == "image":
                    out.append(picture.convert("RGBA"))
        return out


def first_page_png(pdf: bytes, out: Path, dpi: int = 100) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(path),
                        str(out.with_suffix(""))], check=True, timeout=60)
    return out


def lines_starting_with_closing_punctuation(pdf: bytes) -> list[str]:
    return [line for line in text(pdf).splitlines() if line.strip() and line.lstrip()[0] in CLOSING]
