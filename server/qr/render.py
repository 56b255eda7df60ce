"""Drawing site QR codes: PNG and SVG images, and the printable A4 sheet (场所二维码张贴页) per enterprise."""
from __future__ import annotations

import io

import qrcode
from markupsafe import Markup, escape

from i18n import DEFAULT_LOCALE, LOCALES, Problem, t
from server.qr.signing import MAX_PAYLOAD, site_token

# Error correction M (15 %) survives a dirty or partly torn sheet and still leaves the code at version
# 5 for our ~80-character URLs; Q would push it to version 7 and H to 8, shrinking every printed module.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE = 4          # modules of white border the QR standard requires around the code
QR_MM = {1: 130, 2: 95}  # printed size per layout (sites per page); a phone reads ≥ 90 mm from arm's length


def _matrix(url: str) -> list[list[bool]]:
    return _code(url, box_size=1).get_matrix()


def _code(url: str, box_size: int) -> qrcode.QRCode:
    if not isinstance(url, str) or not 0 < len(url) <= MAX_PAYLOAD:
        raise Problem("qr.url_length", max=MAX_PAYLOAD)
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=box_size, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, box_size: int = 10) -> bytes:
    """The QR code of `url` as a black-and-white PNG, `box_size` pixels per module."""
    if isinstance(box_size, bool) or not isinstance(box_size, int) or not 1 <= box_size <= 40:
        raise Problem("qr.box_size", min=1, max=40)
    out = io.BytesIO()
    _code(url, box_size).make_image().save(out, format="PNG")
    return out.getvalue()


def qr_svg_inline(url: str, css_class: str = "qr-code") -> str:
    """The QR code of `url` as an <svg> element for inlining in HTML, sized by CSS (no XML declaration)."""
    return _svg(_matrix(url), f'class="{escape(css_class)}"')


def qr_svg(url: str, module_mm: float = 1.5) -> str:
    """The QR code of `url` as a standalone SVG file, `module_mm` millimetres per module when printed."""
    matrix = _matrix(url)
    size = len(matrix) * module_mm
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _svg(matrix, f'width="{size:g}mm" height="{size:g}mm"') + "\n"


def _svg(matrix: list[list[bool]], attributes: str) -> str:
    """One path of horizontal runs on a white square: small, crisp in print, and a dark page background
    cannot eat the quiet zone."""
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            x += 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" {attributes} viewBox="0 0 {size} {size}" '
            f'shape-rendering="crispEdges" role="img" aria-label="QR">'
            f'<rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{"".join(runs)}"/></svg>')


_CSS = """
@page { size: A4; margin: 15mm }
* { box-sizing: border-box }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", sans-serif; color: #000; background: #fff }
body { margin: 0 }
p { margin: 0 }
.page { height: 266mm; display: flex; flex-direction: column; justify-content: space-around;
        break-after: page; page-break-after: always }
.page:last-child { break-after: auto; page-break-after: auto }
.site { display: grid; justify-items: center; align-items: center; text-align: center; row-gap: 4mm;
        grid-template-areas: "names" "qr" "details" }
.names { grid-area: names } .qr { grid-area: qr } .details { grid-area: details }
.qr svg { display: block; width: %(one)dmm; height: %(one)dmm }
.enterprise { font-size: 20pt; font-weight: 700 }
.site-name { font-size: 32pt; font-weight: 700; margin-top: 2mm }
.details p { margin-top: 2mm }
.address { font-size: 14pt }
.scan { font-size: 18pt; font-weight: 700 }
.hotline { font-size: 16pt; font-weight: 700 }
.ids { font-size: 9pt; color: #333 }
.two .site { height: 128mm; grid-template-columns: 97mm 1fr; column-gap: 6mm; text-align: left;
             justify-items: start; grid-template-areas: "qr names" "qr details" }
.two .site + .site { border-top: 0.3mm dashed #888; padding-top: 4mm }
.two .qr svg { width: %(two)dmm; height: %(two)dmm }
.two .enterprise { font-size: 15pt } .two .site-name { font-size: 24pt }
.two .address { font-size: 12pt } .two .scan { font-size: 14pt } .two .hotline { font-size: 13pt }
@media screen { .page { width: 180mm; margin: 10mm auto; outline: 1px solid #ccc } }
"""


def a4_sheet_html(enterprise: dict, sites: list[dict], urls: dict[str, str], locale: str = DEFAULT_LOCALE,
                  per_page: int = 1) -> str:
    """A printable HTML document: the QR code of each site of an enterprise, one or two per A4 page."""
    loc = locale if locale in LOCALES else DEFAULT_LOCALE
    if per_page not in QR_MM:
        raise Problem("qr.sheet_per_page", allowed="1, 2")
    if not sites:
        raise Problem("qr.sheet_no_sites")
    blocks = [_site_block(enterprise, site, urls, loc) for site in sites]
    pages = [blocks[i:i + per_page] for i in range(0, len(blocks), per_page)]
    body = Markup("").join(Markup('<section class="page">{}</section>\n').format(Markup("").join(p))
                           for p in pages)
    title = t("qr.sheet.title", loc, name=_text(enterprise.get("name")))
    return str(Markup('<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">\n<title>{title}</title>\n'
                  '<style>{css}</style></head>\n<body class="{layout}">\n{body}</body></html>\n').format(
        lang="zh-CN" if loc == "zh_CN" else "en", title=title, css=Markup(_CSS % {"one": QR_MM[1], "two": QR_MM[2]}),
        layout="one" if per_page == 1 else "two", body=body))


def _site_block(enterprise: dict, site: dict, urls: dict[str, str], loc: str) -> Markup:
    site_id = site.get("_id")
    token = site_token(site_id)
    uscc = _text(enterprise.get("uscc"))
    if not uscc or not site_id.startswith(f"site:{uscc}:"):
        raise Problem("qr.sheet_foreign_site", site=token, uscc=uscc)
    if site_id not in urls:
        raise Problem("qr.sheet_missing_url", site=token)
    return Markup(
        '<article class="site">'
        '<header class="names"><p class="enterprise">{enterprise}</p><p class="site-name">{site}</p></header>'
        '<div class="qr">{svg}</div>'
        '<div class="details"><p class="address">{address}</p><p class="scan">{scan}</p>'
        '<p class="hotline">{hotline}</p><p class="ids">{uscc_label}{uscc} · {code_label}{token}</p></div>'
        '</article>\n').format(
        enterprise=_text(enterprise.get("name")), site=_text(site.get("name")),
        svg=Markup(qr_svg_inline(urls[site_id])),
        address=_text(site.get("address") or enterprise.get("address")),
        scan=t("qr.sheet.scan", loc), hotline=t("qr.sheet.hotline", loc),
        uscc_label=t("qr.sheet.uscc", loc), uscc=uscc, code_label=t("qr.sheet.site_code", loc), token=token)


def _text(value) -> str:
    """A value as display text: missing fields print as nothing rather than as "None"."""
    return "" if value is None else str(value)
