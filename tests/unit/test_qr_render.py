"""Site QR images (PNG, SVG) and the printable A4 sheet: valid images, faithful modules, escaped text."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from PIL import Image

from i18n import Problem
from server.qr import render
from server.qr.signing import parse_keys, qr_url

USCC = "91370102MA3C5EXJ4X"
KEYS = parse_keys("k1:" + "A" * 43)
URL = qr_url("https://jc.example.gov.cn", f"site:{USCC}:01", KEYS, "k1")
SVG = "{http://www.w3.org/2000/svg}"
# The 15-bit format information of error correction level M, for masks 0-7 (ISO/IEC 18004 table C.1).
FORMAT_M = {"101010000010010", "101000100100101", "101111001111100", "101101101001011",
            "100010111111001", "100000011001110", "100111110010111", "100101010100000"}


def png_modules(png: bytes, box: int) -> list[list[bool]]:
    """The dark/light module grid read back from the pixels at the centre of each box."""
    img = Image.open(io.BytesIO(png)).convert("L")
    n = img.size[0] // box
    return [[img.getpixel((x * box + box // 2, y * box + box // 2)) < 128 for x in range(n)] for y in range(n)]


def svg_modules(svg: str) -> list[list[bool]]:
    """The module grid drawn by the SVG path of runs `M x y h w v1 h-w z`."""
    root = ET.fromstring(svg)
    n = int(root.get("viewBox").split()[2])
    grid = [[False] * n for _ in range(n)]
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", root.find(f"{SVG}path").get("d")):
        for i in range(int(w)):
            grid[int(y)][int(x) + i] = True
    return grid


def format_bits(modules: list[list[bool]], border: int = 4) -> str:
    """The format information beside the top-left finder: row 8 left to right, then column 8 upwards."""
    at = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    return "".join("1" if modules[r + border][c + border] else "0" for r, c in at)


def test_png_is_a_valid_image_whose_modules_are_the_code_at_level_m():
    png = render.qr_png(URL, box_size=6)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.size[0] == img.size[1]
    img.verify()
    expected = render._code(URL, 1).get_matrix()
    assert img.size[0] == len(expected) * 6
    modules = png_modules(png, 6)
    assert modules == expected
    assert format_bits(modules) in FORMAT_M
    assert all(not any(row) for row in modules[:4])  # the quiet zone is there


def test_the_url_is_short_enough_for_a_small_code():
    assert len(render._code(URL, 1).get_matrix()) - 2 * render.QUIET_ZONE <= 37  # version 5 or lower


def test_standalone_svg_parses_as_xml_and_draws_the_same_modules():
    svg = render.qr_svg(URL)
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg" and root.get("width").endswith("mm")
    assert svg_modules(svg.split("\n", 1)[1]) == render._code(URL, 1).get_matrix()


def test_inline_svg_has_no_xml_declaration_and_takes_a_safe_class():
    svg = render.qr_svg_inline(URL, css_class='x" onload="alert(1)')
    assert not svg.startswith("<?xml") and svg.startswith("<svg")
    root = ET.fromstring(svg)
    assert root.get("class") == 'x" onload="alert(1)' and root.get("onload") is None
    assert root.get("width") is None  # sized by the page's CSS
    assert svg_modules(svg) == render._code(URL, 1).get_matrix()


@pytest.mark.parametrize("url", ["", "x" * 513, None, b"https://x"])
def test_images_refuse_empty_or_oversized_content(url):
    for make in (render.qr_png, render.qr_svg, render.qr_svg_inline):
        with pytest.raises(Problem) as err:
            make(url)
        assert err.value.code == "qr.url_length"


@pytest.mark.parametrize("box", [0, 41, -1, True, "10", 2.5])
def test_png_refuses_a_silly_box_size(box):
    with pytest.raises(Problem) as err:
        render.qr_png(URL, box_size=box)
    assert err.value.code == "qr.box_size"


# --- the A4 sheet -----------------------------------------------------------------------------------

ENTERPRISE = {"name": "济南明湖<script>alert(1)</script>化工有限公司", "uscc": USCC, "address": "济南市历下区"}


def sites(n: int) -> list[dict]:
    return [{"_id": f"site:{USCC}:{i:02d}", "name": f"第{i}号仓库 <b>&amp;", "address": f"经十路{i}号\"'<img>"}
            for i in range(1, n + 1)]


def urls_for(site_list: list[dict]) -> dict[str, str]:
    return {s["_id"]: qr_url("https://jc.example.gov.cn", s["_id"], KEYS, "k1") for s in site_list}


class TagCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text += data


def parsed(html: str) -> TagCounter:
    counter = TagCounter()
    counter.feed(html)
    return counter


def test_sheet_escapes_every_value():
    html = render.a4_sheet_html(ENTERPRISE, sites(1), urls_for(sites(1)), "zh_CN")
    assert type(html) is str  # a plain string: nothing downstream may take it for already-safe markup
    page = parsed(html)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;amp;" in html  # a literal "&amp;" in a name prints as typed
    assert "济南明湖<script>alert(1)</script>化工有限公司" in page.text  # shown as text, in the title too
    assert "经十路1号\"'<img>" in page.text


def test_sheet_has_the_a4_layout_the_names_and_the_public_lines():
    html = render.a4_sheet_html(ENTERPRISE, sites(3), urls_for(sites(3)), "zh_CN")
    assert "@page { size: A4; margin: 15mm }" in html and '<html lang="zh-CN">' in html
    page = parsed(html)
    assert page.tags.count("section") == 3 and page.tags.count("svg") == 3
    assert "执法检查扫码入企 / Scan on entry for inspections" in page.text
    assert "安全生产举报电话 12350" in page.text
    assert "第3号仓库" in page.text and f"{USCC}-03" in page.text
    assert all(mm >= 90 for mm in render.QR_MM.values())
    assert f"width: {render.QR_MM[1]}mm" in html and f"width: {render.QR_MM[2]}mm" in html


def test_sheet_two_per_page_and_english():
    html = render.a4_sheet_html(ENTERPRISE, sites(3), urls_for(sites(3)), "en", per_page=2)
    page = parsed(html)
    assert page.tags.count("section") == 2 and page.tags.count("article") == 3
    assert '<html lang="en">' in html and '<body class="two">' in html
    assert "12350" in page.text and "Scan on entry for inspections" in page.text


def test_sheet_falls_back_to_the_enterprise_address_and_never_prints_none():
    bare = [{"_id": f"site:{USCC}:01", "name": None}]
    html = render.a4_sheet_html(ENTERPRISE, bare, urls_for(bare), "zh_CN")
    assert "None" not in html and "济南市历下区" in parsed(html).text


def test_sheet_qr_encodes_the_url_it_was_given():
    one = sites(1)
    html = render.a4_sheet_html(ENTERPRISE, one, urls_for(one), "zh_CN")
    inline = re.search(r"<svg .*?</svg>", html).group(0)
    assert svg_modules(inline) == render._code(urls_for(one)[one[0]["_id"]], 1).get_matrix()


@pytest.mark.parametrize("enterprise, site_list, urls, per_page, code", [
    (ENTERPRISE, [], {}, 1, "qr.sheet_no_sites"),
    (ENTERPRISE, sites(1), {}, 1, "qr.sheet_missing_url"),
    (ENTERPRISE, [{"_id": "site:91110000600037341L:01"}], {"site:91110000600037341L:01": URL}, 1,
     "qr.sheet_foreign_site"),
    ({"name": "x"}, sites(1), urls_for(sites(1)), 1, "qr.sheet_foreign_site"),
    (ENTERPRISE, [{"_id": "../../etc/passwd"}], {}, 1, "qr.site_id"),
    (ENTERPRISE, sites(1), urls_for(sites(1)), 3, "qr.sheet_per_page"),
])
def test_sheet_refuses_what_it_cannot_print_correctly(enterprise, site_list, urls, per_page, code):
    with pytest.raises(Problem) as err:
        render.a4_sheet_html(enterprise, site_list, urls, "zh_CN", per_page=per_page)
    assert err.value.code == code
