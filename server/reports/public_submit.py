"""Filing a public report: photos cleaned, identity sealed, the document written, the receipt code made.

The audit entry of a submission names the report and its channel, with the actor "public" and no client
address: an address next to the time of a report would say who sent it.
"""
from __future__ import annotations

import base64

from i18n import Problem
from server import audit
from server.db import database
from server.reports import protect, public_photos, store


class PhotoProblem(Exception):
    """A photo was refused; `problem` says why (the report is not filed)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


def _photos(files, max_bytes: int) -> tuple[dict, list[dict]]:
    attachments, meta = {}, []
    for n, upload in enumerate(files, start=1):
        data = upload.stream.read(max_bytes + 1)
        try:
            photo = public_photos.clean(data, max_bytes)
        except Problem as exc:
            raise PhotoProblem(exc) from None
        name = f"photo-{n}.jpg"
        attachments[name] = {"content_type": "image/jpeg", "data": base64.b64encode(photo.image).decode()}
        attachments[f"thumb-{n}.jpg"] = {"content_type": "image/jpeg",
                                         "data": base64.b64encode(photo.thumbnail).decode()}
        meta.append({"name": name, "thumbnail": f"thumb-{n}.jpg", "width": photo.width, "height": photo.height,
                     "sent_as": photo.source_format, "metadata_removed": True})
    return attachments, meta


def build(clean: dict, values: dict, site: dict | None) -> dict:
    """The report document of the contract (docs: /work/briefs/contract15.md), without photos or receipt."""
    doc = {"_id": store.new_id(), "type": "report", "received_at": store.now_iso(),
           "channel": "qr" if site else "web", "site": site["site"] if site else None,
           "enterprise": site["enterprise"] if site else None,
           "enterprise_name": site["enterprise_name"] if site else clean["enterprise_name"],
           "region": site["region"] if site else clean["region"], "sector": site.get("sector") if site else None,
           "text": clean["text"], "location": clean["location"] or (site["address"] if site else ""),
           "happened_on": clean["happened_on"], "insider": clean["insider"], "anonymous": clean["anonymous"],
           "identity": None, "status": "received", "duplicate_of": None, "triage": None,
           "verification": None, "outcome": None, "reward": None, "photo_meta": [], "history": []}
    if not clean["anonymous"]:
        doc["identity"] = protect.seal(doc["_id"], values["name"], values["contact"])
    store.add_history(doc, "received", "public")
    return doc


def save_report(clean: dict, values: dict, site: dict | None, files, max_photo_bytes: int) -> str:
    """Write the report; returns its receipt code (to show once)."""
    doc = build(clean, values, site)
    attachments, meta = _photos(files, max_photo_bytes)
    code, kept = store.new_receipt()
    doc.update(receipt=kept, photo_meta=meta)
    if attachments:
        doc["_attachments"] = attachments
    store.reports().put(doc)
    audit.append(database("audit"), "public", "report.receive", doc["_id"], {"channel": doc["channel"]})
    return code
