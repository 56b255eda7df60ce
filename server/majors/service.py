"""Major-hazard actions on cases in `records`: load in scope, apply a rule, save at the revision read, audit.

Two supervisors acting on one case at the same moment both read one revision; CouchDB takes the first
write and refuses the second (409), so exactly one listing is saved and audited. Uploaded 督办/measure
documents (PDF) are kept as their own documents (`majordoc:<uuid>`, region and case copied for scope)
rather than as attachments of the case, so that the case stays small for the views and the phones' worker.
"""
from __future__ import annotations

import base64
import re
import uuid
from datetime import date

from i18n import Problem, t
from server import audit
from server.accounts import roles
from server.db import database
from server.errors import ApiError
from server.hazards import service as hazards
from server.majors import rules
from server.registry.store import now_iso
from sync.couch import Conflict

MAX_PDF_BYTES = 10 * 1024 * 1024
DOC_PREFIX = "majordoc:"
HEX32 = re.compile(r"^[0-9a-f]{32}$")
# Refusals about the case's present state answer 409; the others are about what was sent (422).
STATE_RULES = {"majors.not_major", "majors.void", "majors.closed", "majors.already_listed", "majors.not_listed",
               "majors.lift_needs_closed", "majors.too_many_measures"}


def _refusal(exc: Problem) -> ApiError:
    params = dict(exc.params)
    for name in ("level", "own"):
        if name in params:
            params[name] = t(f"majors.level.{params[name]}")
    code = "conflict" if exc.code in STATE_RULES else "validation"
    if exc.code == "majors.level_too_high":
        code = "forbidden"
    return ApiError(code, message=t(exc.code, **params), errors={"rule": [exc.code]})


def _save(new: dict, actor: str, action: str, details: dict) -> dict:
    """Write at the revision read (409 when someone changed the case meanwhile), then audit once."""
    try:
        saved = hazards.records().put_once(new)
    except Conflict:
        raise ApiError("conflict", message=t("majors.conflict")) from None
    new["_rev"] = saved.get("rev", new.get("_rev"))
    audit.append(database("audit"), actor, action, new["_id"], details)
    return new


def _apply(fn, case: dict, *args) -> dict:
    try:
        return fn(case, *args)
    except Problem as exc:
        raise _refusal(exc) from None


def supervise(user: dict, key: str, level: str, number: str, text: str, deadline: date) -> dict:
    case = hazards.load_case(user, key, write=True)
    new = _apply(rules.supervise, case, user, level, {"number": number, "text": text}, deadline, now_iso(),
                 hazards.today())
    return _save(new, user["username"], "major.supervise", {"level": level, "number": number,
                                                             "deadline": deadline.isoformat()})


def lift(user: dict, key: str, note: str) -> dict:
    case = hazards.load_case(user, key, write=True)
    new = _apply(rules.lift, case, user, note, now_iso())
    return _save(new, user["username"], "major.supervise_lift",
                 {"level": (case.get("supervision") or {}).get("level"), "note": note[:200]})


def store_pdf(user: dict, case: dict, data: bytes, filename: str) -> str:
    """Keep an uploaded PDF beside the case; returns its id. Only real PDFs, at most MAX_PDF_BYTES."""
    if len(data) > MAX_PDF_BYTES:
        raise ApiError("validation", message=t("majors.pdf_too_big", mb=MAX_PDF_BYTES // (1024 * 1024)),
                       errors={"file": [t("majors.pdf_too_big", mb=MAX_PDF_BYTES // (1024 * 1024))]})
    if not data.startswith(b"%PDF-"):
        raise ApiError("validation", message=t("majors.pdf_only"), errors={"file": [t("majors.pdf_only")]})
    doc_id = DOC_PREFIX + uuid.uuid4().hex
    hazards.records().put({"_id": doc_id, "type": "major_document", "case": case["_id"], "region": case["region"],
                           "name": (filename or "document.pdf")[-120:], "by": user["username"], "at": now_iso(),
                           "_attachments": {"document.pdf": {"content_type": "application/pdf",
                                                             "data": base64.b64encode(data).decode()}}})
    return doc_id


def record_measure(user: dict, key: str, measure: dict, upload: tuple[bytes, str] | None) -> dict:
    """A 函告/通报/约谈/曝光 against the case; the PDF, if any, is stored only once the rules allow it."""
    case = hazards.load_case(user, key, write=True)
    _apply(rules.record_measure, case, user, {**measure, "file": "pending" if upload else None}, now_iso(),
           hazards.today())
    file_id = store_pdf(user, case, *upload) if upload else None
    new = _apply(rules.record_measure, case, user, {**measure, "file": file_id}, now_iso(), hazards.today())
    try:
        return _save(new, user["username"], "major.measure",
                     {"kind": measure["kind"], "on": measure["on"].isoformat(), "number": measure.get("number") or "",
                      "file": file_id})
    except ApiError:
        if file_id:   # the case changed meanwhile: the measure was not recorded, so neither is its file
            stored = hazards.records().get_or_none(file_id)
            hazards.records().delete(file_id, stored["_rev"])
        raise


def load_document(user: dict, key: str) -> tuple[dict, bytes]:
    """An uploaded document the user may see (its case's region in their scope); 404 otherwise."""
    doc = hazards.records().get_or_none(DOC_PREFIX + key) if HEX32.fullmatch(key or "") else None
    if not doc or doc.get("type") != "major_document":
        raise ApiError("not_found")
    if not roles.in_scope(user, doc.get("region")):
        raise ApiError("not_found")
    return doc, hazards.records().get_attachment(doc["_id"], "document.pdf")
