"""Photos of a rectification (整改照片) sent by the enterprise and uploaded by a supervisor, and serving any
photo or signature of `records` to a reader in scope (the browser never reaches CouchDB)."""
from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import datetime, timedelta, timezone

from flask import Response

from i18n import Problem, t
from server import audit
from server.accounts import roles
from server.db import database
from server.errors import ApiError
from server.hazards.service import UUID_RE, load_case, records
from server.registry.store import now_iso
from sync.couch import NotFound
from sync.photos import process_photo

MAX_PHOTO_BYTES = 12 * 1024 * 1024
VARIANTS = {"thumbnail": "thumbnail.jpg", "original": "original.jpg", "watermarked": "watermarked.jpg"}
SHANGHAI = timezone(timedelta(hours=8))


def add_rectification_photo(user: dict, key: str, data: bytes) -> dict:
    """Verify and file one JPEG as evidence of the case's rectification; returns the photo document."""
    case = load_case(user, key, write=True)
    if case["state"] != "ordered":
        raise ApiError("conflict", message=t("hazard.photo_wrong_state"))
    if len(data) > MAX_PHOTO_BYTES:
        raise ApiError("too_large")
    sha = hashlib.sha256(data).hexdigest()
    taken = datetime.now(timezone.utc).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    try:
        processed = process_photo(data, sha, caption_lines=[taken, case.get("enterprise_name", ""),
                                                            user.get("display_name", user["username"])])
    except Problem as exc:
        raise ApiError("validation", message=exc.message(), errors={"photo": [exc.code]}) from None
    doc = {"_id": f"photo:{uuid.uuid4()}", "type": "photo", "case": case["_id"], "hazard": case["hazard"],
           "inspection": case["inspection"], "region": case["region"], "enterprise": case["enterprise"],
           "sha256": sha, "taken_at": now_iso(), "uploaded_by": user["username"], "width": processed.width,
           "height": processed.height, "photo_status": "verified",
           "_attachments": {name: {"content_type": "image/jpeg", "data": base64.b64encode(body).decode()}
                            for name, body in (("original.jpg", data), ("thumbnail.jpg", processed.thumbnail),
                                               ("watermarked.jpg", processed.watermarked))}}
    records().put(doc)
    audit.append(database("audit"), user["username"], "hazard.photo", case["_id"], {"photo": doc["_id"], "sha256": sha})
    return doc


def _image(data: bytes, content_type: str) -> Response:
    resp = Response(data, mimetype=content_type)
    resp.headers["Cache-Control"] = "private, max-age=3600"
    resp.headers["Content-Security-Policy"] = "default-src 'none'"
    return resp


def photo_response(user: dict, key: str, variant: str) -> Response:
    """One of a photo's images, for a reader whose scope covers the photo's region (else 404)."""
    doc = records().get_or_none(f"photo:{key}") if UUID_RE.fullmatch(key or "") and variant in VARIANTS else None
    if not doc or doc.get("type") != "photo" or not roles.in_scope(user, doc.get("region")):
        raise ApiError("not_found")
    try:
        return _image(records().get_attachment(doc["_id"], VARIANTS[variant]), "image/jpeg")
    except NotFound:
        raise ApiError("not_found") from None


def signature_response(inspection: dict, name: str) -> Response:
    """A signature PNG named by the (already scope-checked) inspection record."""
    named = {s.get("attachment") for s in inspection.get("signatures") or []}
    if name not in named or name not in (inspection.get("_attachments") or {}):
        raise ApiError("not_found")
    return _image(records().get_attachment(inspection["_id"], name), "image/png")
