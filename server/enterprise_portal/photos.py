"""Photos an enterprise sends (its self-reported hazards, its rectification evidence): checked and made into
thumbnails by the project's photo pipeline (sync/photos.py), filed in `records` as `photo:<uuid>` like the
bureau's, and shown back to that enterprise only. The bureau sees them through the console's photo route."""
from __future__ import annotations

import base64
import hashlib
import uuid
from contextlib import suppress
from datetime import datetime, timezone

from flask import Response

from i18n import Problem
from server.errors import ApiError
from server.hazards.photos import MAX_PHOTO_BYTES, SHANGHAI, VARIANTS
from server.hazards.service import UUID_RE, records
from server.registry.store import now_iso
from sync.couch import Conflict, NotFound
from sync.photos import process_photo


def read_uploads(files) -> list[bytes]:
    """The bytes of each chosen file, one byte past the limit at most (the pipeline refuses it then)."""
    return [f.read(MAX_PHOTO_BYTES + 1) for f in files if f and f.filename]


def photo_doc(user: dict, enterprise: dict, data: bytes, link: dict) -> dict:
    """The photo document for one upload, checked (decoded, captioned), not yet written."""
    if len(data) > MAX_PHOTO_BYTES:
        raise ApiError("too_large")
    sha = hashlib.sha256(data).hexdigest()
    taken = datetime.now(timezone.utc).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    try:
        processed = process_photo(data, sha, caption_lines=[taken, enterprise.get("name", ""),
                                                            user.get("display_name", user["username"])])
    except Problem as exc:
        raise ApiError("validation", message=exc.message(), errors={"photos": [exc.message()]}) from None
    return {"_id": f"photo:{uuid.uuid4()}", "type": "photo", **link, "region": enterprise["region"],
            "enterprise": enterprise["uscc"], "enterprise_upload": True, "sha256": sha, "taken_at": now_iso(),
            "uploaded_by": user["username"], "width": processed.width, "height": processed.height,
            "photo_status": "verified",
            "_attachments": {name: {"content_type": "image/jpeg", "data": base64.b64encode(body).decode()}
                             for name, body in (("original.jpg", data), ("thumbnail.jpg", processed.thumbnail),
                                                ("watermarked.jpg", processed.watermarked))}}


def file_all(user: dict, enterprise: dict, uploads: list[bytes], link: dict) -> list[str]:
    """File every upload or none: all are checked before any is written, so a refused one leaves nothing
    behind (removing written ones again would read them back, which a cluster may answer from a copy that
    has not got them yet)."""
    docs = [photo_doc(user, enterprise, data, link) for data in uploads]
    written: list[str] = []
    try:
        for doc in docs:
            records().put(doc)
            written.append(doc["_id"])
    except Exception:
        remove(written)
        raise
    return written


def remove(photo_ids: list[str]) -> None:
    """Delete photos of a hazard withdrawn from a draft (never evidence the bureau has accepted)."""
    for photo_id in photo_ids:   # read by id, at quorum on a cluster: a photo just written is found
        doc = records().get_or_none(photo_id)
        if doc:
            with suppress(NotFound, Conflict):
                records().delete(doc["_id"], doc["_rev"])


def own_photo(user: dict, key: str, variant: str) -> Response:
    """One of the enterprise's own photos; anything else (another enterprise's, an inspector's) is 404."""
    doc = records().get_or_none(f"photo:{key}") if UUID_RE.fullmatch(key or "") and variant in VARIANTS else None
    if (not doc or doc.get("type") != "photo" or not doc.get("enterprise_upload")
            or doc.get("enterprise") != user.get("enterprise")):
        raise ApiError("not_found")
    try:
        data = records().get_attachment(doc["_id"], VARIANTS[variant])
    except NotFound:
        raise ApiError("not_found") from None
    resp = Response(data, mimetype="image/jpeg")
    resp.headers["Cache-Control"] = "private, max-age=3600"
    resp.headers["Content-Security-Policy"] = "default-src 'none'"
    return resp
