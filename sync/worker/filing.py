"""What filing adds to a phone's record: fields copied from task, site and enterprise, review state, signatures."""
from __future__ import annotations

import base64
import io
import warnings

from PIL import Image

from i18n import Problem

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_PIXELS = 4_000_000
FINAL = ("approved", "rejected")
# Written on an inspection record by the server's review (server/review/service.py); the worker keeps
# them when it files a corrected revision, so that a returned record's history is not lost.
SERVER_FIELDS = ("review", "number", "opinion_number", "reviewed_at")


def task_kind(task: dict) -> str:
    if task.get("kind") in ("reinspection", "report_verification"):
        return task["kind"]
    return "random" if task.get("random") else "targeted"


def denormalised(task: dict, site: dict, enterprise: dict) -> dict:
    """What views and registers filter on, copied at filing time so that no query needs a join."""
    position = None
    if site.get("lat") is not None and site.get("lng") is not None:
        position = {"lat": site["lat"], "lng": site["lng"]}
    return {"task_kind": task_kind(task), "region": task["region"], "enterprise": task["enterprise"],
            "enterprise_name": task.get("enterprise_name", ""), "site": task["site"],
            "sector": enterprise.get("industry"), "team": list(dict.fromkeys(task["inspectors"] + task["experts"])),
            "site_position": position, **({"report": task["report"]} if task.get("report") else {})}


def review_status(phone_status: str, existing: dict | None) -> str:
    """draft → pending when finished; a corrected revision of a returned record goes back to pending,
    while the inspector is still editing it (a draft revision) it stays returned."""
    before = (existing or {}).get("review_status")
    if phone_status == "finished":
        return "pending"
    return "returned" if before == "returned" else "draft"


def carry_over(record: dict, existing: dict | None, now: str) -> None:
    """Keep what filing must not lose across revisions: the first submission time and the server's fields."""
    existing = existing or {}
    for name in SERVER_FIELDS:
        if name in existing:
            record[name] = existing[name]
    first = existing.get("submitted_at")
    if record["type"] != "inspection" or record.get("status") == "finished":
        record["submitted_at"] = first or now
    elif first:
        record["submitted_at"] = first


def final_status(existing: dict | None) -> str | None:
    status = (existing or {}).get("review_status")
    return status if status in FINAL else None


def _check_png(data: bytes, name: str) -> None:
    if not data.startswith(PNG_MAGIC):
        raise Problem("field.signature_not_png", name=name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != "PNG" or image.width * image.height > MAX_SIGNATURE_PIXELS:
                    raise Problem("field.signature_not_png", name=name)
                image.verify()
    except Problem:
        raise
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for broken files; each means "not a PNG"
        raise Problem("field.signature_not_png", name=name) from None


def signature_attachments(doc: dict, fetch, max_bytes: int) -> dict:
    """The signature PNGs an inspection names, checked and ready to store byte for byte; other
    attachments are refused (a record carries only what its schema says)."""
    named = [s["attachment"] for s in doc.get("signatures") or [] if s.get("attachment")]
    stubs = doc.get("_attachments") or {}
    unexpected = sorted(set(stubs) - set(named))
    if unexpected:
        raise Problem("field.attachment_unexpected", name=unexpected[0][:60])
    out = {}
    for name in dict.fromkeys(named):
        stub = stubs.get(name)
        if stub is None:
            raise Problem("field.signature_missing", name=name)
        if stub.get("length", 0) > max_bytes:
            raise Problem("field.signature_too_large", name=name, kb=max_bytes // 1024)
        data = fetch(name)
        if len(data) > max_bytes:
            raise Problem("field.signature_too_large", name=name, kb=max_bytes // 1024)
        _check_png(data, name)
        out[name] = {"content_type": "image/png", "data": base64.b64encode(data).decode()}
    return out
