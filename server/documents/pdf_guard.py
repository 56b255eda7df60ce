"""PDFs as bounded work (issue 17): cached per document version, rendered in a separate process, limited
in concurrency, size and time.

A 205,000-character record made a 187-page PDF at 127 s of CPU per request, uncached and unbounded. Now:
- **cache**: the key is the SHA-256 of the document's HTML, which is everything the PDF shows (number,
  text, signatures): a new version is a new key, an unchanged one is served from PDF_CACHE_DIR (files
  shared by the processes; oldest dropped beyond PDF_CACHE_MB);
- **size**: a document whose text (images aside) exceeds PDF_MAX_CHARS is refused with a clear message
  (413) before any rendering;
- **concurrency**: at most PDF_CONCURRENCY renderings per web process, each in a child process (WeasyPrint
  is CPU work that would otherwise hold the interpreter), at most PDF_QUEUE requests waiting; others 429;
- **time**: a rendering running past PDF_TIMEOUT_S is killed (its child process ended) and answered 413 (too large to print).
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from flask import current_app

from server.documents import render
from server.errors import ApiError

_DATA_URI = re.compile(r"data:[^\"')\s]+")
_lock = threading.Lock()
_state = {"pool": None, "waiting": 0}   # waiting: requests rendering or queued for it


def _render_in_child(html_string: str) -> bytes:
    """Runs in the child: WeasyPrint with only data: URIs allowed (as render.pdf)."""
    html_class, fetcher_class = render.weasyprint()
    fetcher = fetcher_class(allowed_protocols=("data",), timeout=1)
    return html_class(string=html_string, url_fetcher=fetcher).write_pdf()


def _warm_child() -> bool:
    """The import and a first tiny rendering (fontconfig, the CJK font's tables) are most of what a first
    real rendering would pay in a fresh process."""
    html_class, _fetcher = render.weasyprint()
    html_class(string="<p>现场检查记录 2026</p>").write_pdf()
    return True


def warm(app):
    """Start the rendering process and import WeasyPrint in it now (the web pool does this at start), so
    that the first PDF a supervisor asks for does not pay for it. Returns the future of the warm-up."""
    with app.app_context():
        return _pool(int(app.config.get("PDF_CONCURRENCY", 1))).submit(_warm_child)


def _pool(size: int) -> ProcessPoolExecutor:
    with _lock:
        if _state["pool"] is None:
            # spawn: never fork a process that has request threads running
            _state["pool"] = ProcessPoolExecutor(size, mp_context=multiprocessing.get_context("spawn"))
        return _state["pool"]


def _kill_pool() -> None:
    """A rendering overran: end its child (and the pool's others: a pool cannot stop one task)."""
    with _lock:
        pool, _state["pool"] = _state["pool"], None
    if pool is not None:
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)


def _cache_path(key: str) -> Path:
    return Path(current_app.config.get("PDF_CACHE_DIR", "var/pdf-cache")) / f"{key}.pdf"


def _store(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)   # readers see a whole file or none
    limit = int(current_app.config.get("PDF_CACHE_MB", 200)) * 1024 * 1024
    files = sorted(path.parent.glob("*.pdf"), key=lambda p: p.stat().st_mtime)
    total = sum(p.stat().st_size for p in files)
    for old in files:
        if total <= limit:
            break
        total -= old.stat().st_size
        old.unlink(missing_ok=True)


def _slot(cfg) -> None:
    """A place among the renderings running or queued, or 429 at once (a waiting request holds a thread)."""
    with _lock:
        if _state["waiting"] >= int(cfg.get("PDF_CONCURRENCY", 1)) + int(cfg.get("PDF_QUEUE", 4)):
            raise ApiError("rate_limited", message=_msg("capacity.pdf_busy"))
        _state["waiting"] += 1


def _msg(key: str, **params) -> str:
    from i18n import t
    return t(key, **params)


def pdf(doc: dict) -> bytes:
    """The document as PDF, from the cache or rendered within the bounds above."""
    if doc["draft"]:
        raise ValueError("a draft (unnumbered) document is not rendered as PDF")
    cfg = current_app.config
    html_string = render.html(doc, preview=False)
    path = _cache_path(hashlib.sha256(html_string.encode()).hexdigest())
    if path.exists():
        return path.read_bytes()
    limit = int(cfg.get("PDF_MAX_CHARS", 150_000))
    if len(_DATA_URI.sub("", html_string)) > limit:
        raise ApiError("too_large", message=_msg("capacity.pdf_too_large", limit=limit))
    _slot(cfg)
    try:
        future = _pool(int(cfg.get("PDF_CONCURRENCY", 1))).submit(_render_in_child, html_string)
        try:
            data = future.result(timeout=float(cfg.get("PDF_TIMEOUT_S", 60)))
        except FutureTimeout:
            _kill_pool()
            raise ApiError("too_large", message=_msg("capacity.pdf_timeout", seconds=cfg.get("PDF_TIMEOUT_S", 60))) from None
    finally:
        with _lock:
            _state["waiting"] -= 1
    _store(path, data)
    return data
