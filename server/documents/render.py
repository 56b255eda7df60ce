"""One Jinja template per document for both the HTML preview and the PDF (WeasyPrint, CJK font embedded)."""
from __future__ import annotations

import logging
import re
import time
from urllib.parse import quote

from flask import render_template
from markupsafe import Markup, escape
from PIL import ImageFile

log = logging.getLogger(__name__)
# A document number or a date is never split over two lines (（历下）应急检记〔2026〕 / 12号 reads badly).
_UNBREAKABLE = re.compile(r"（[^（）\s]{1,20}）应急[\u4e00-\u9fff]{2}〔\d{4}〕\d{1,6}号|\d{4}年\d{1,2}月\d{1,2}日")


def keep_together(text) -> Markup:
    """Jinja filter: the text escaped, with each number and date wrapped so that it stays on one line."""
    escaped = str(escape(text))
    return Markup(_UNBREAKABLE.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', escaped))


def html(doc: dict, preview: bool, pdf_url: str | None = None, sign_url: str | None = None) -> str:
    return render_template(f"documents/{doc['kind']}.html", doc=doc, preview=preview, pdf_url=pdf_url,
                           sign_url=sign_url)


def weasyprint():
    """WeasyPrint's HTML and URLFetcher, imported on first use: the worker builds the app but never renders.

    Importing WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES; the photo pipeline
    (sync/photos.py) refuses to run with it on, since half a photo would then pass as evidence. It is
    turned back off right after the import: the only images a document draws are verified PNGs."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML, URLFetcher


def pdf(doc: dict) -> bytes:
    """The document as PDF. Only data: URIs (the signature images) may be loaded: whatever a record
    contains, rendering never reads a file or reaches the network."""
    if doc["draft"]:
        raise ValueError("a draft (unnumbered) document is not rendered as PDF")
    started = time.perf_counter()
    html_class, fetcher_class = weasyprint()
    fetcher = fetcher_class(allowed_protocols=("data",), timeout=1)
    out = html_class(string=html(doc, preview=False), url_fetcher=fetcher).write_pdf()
    log.info("%s %s rendered in %.2f s (%d bytes)", doc["kind"], doc.get("number"), time.perf_counter() - started,
             len(out))
    return out


def file_name(doc: dict, ext: str) -> str:
    """责令限期整改指令书（历下）应急责改〔2026〕3号.pdf; a draft is named as one."""
    return f"{doc['title']}{doc['number'] or '（草稿）'}.{ext}"


def content_disposition(name: str, fallback: str) -> str:
    """inline, with an ASCII name for old clients and the real one in UTF-8 (RFC 6266 / RFC 5987)."""
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
