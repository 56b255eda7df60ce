"""GET/POST /console/documents/<order|opinion|decision>/<uuid>/sign: the console signature pad page.

Staff in scope only (out of scope reads as unknown: 404); inspectors 403; anonymous to sign-in. Each
signature or refusal is audited as `document.sign` / `document.refuse` on the source document.
"""
from __future__ import annotations

import base64
import binascii
import io

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from PIL import Image

from i18n import t
from server import audit
from server.accounts import roles
from server.console.views import staff_only
from server.db import database, registry
from server.documents.formatting import clean, display_number
from server.documents.people import split_team
from server.documents.signatures import signature_image
from server.documents.sources import UUID, Refused
from server.documents.views import reinspection_number, refuse as refuse_document
from server.registry.store import now_iso
from server.signing import content as signed_doc
from server.signing.store import append, document_hash, entries_of

bp = Blueprint("signing", __name__)
KINDS = ("order", "opinion", "decision")
PREFIX = "data:image/png;base64,"
MAX_DATA_URL = 700 * 1024   # a 512 KB PNG in base64, with room for the prefix


def _found(kind: str, doc_uuid: str):
    """(sources, source document) in the user's scope, else 404; a document that cannot exist explains
    itself to someone in scope only."""
    if kind not in KINDS or not UUID.match(doc_uuid):
        abort(404)
    n = reinspection_number() if kind == "opinion" else None
    try:
        found = signed_doc.load(kind, database("records"), registry(), doc_uuid, n)
    except Refused as exc:
        if not roles.in_scope(g.user, exc.region):
            abort(404)
        abort(409)
    if found is None or not roles.in_scope(g.user, found[2]):
        abort(404)
    return found[0], found[1]


def _team(kind: str, src) -> list[dict]:
    if kind == "opinion":
        team = (src.reinspection or {}).get("team") or (src.task or {}).get("inspectors") or []
    else:
        rec = src.inspection or {}
        team = rec.get("team") or [rec.get("inspector")]
    return split_team(team, [], src.people)[0]


def _page(kind, doc_uuid, src, source, status=200, error=None):
    entries, _images, _doc = entries_of(database("records"), signed_doc.sign_id(kind, doc_uuid, src))
    digest = document_hash(signed_doc.content(kind, src))
    number = display_number(source.get("number") if kind != "opinion"
                            else signed_doc.done(source)[src.n - 1].get("opinion_number"))
    return render_template("sign_document.html", kind=kind, doc_uuid=doc_uuid, n=getattr(src, "n", None),
                           title=signed_doc.TITLES[kind], number=number, team=_team(kind, src),
                           entries=[{**e, "state": "void" if e.get("content_sha256") != digest
                                     else ("refused" if e.get("refused") else "signed")} for e in entries],
                           done=request.args.get("done"), error=error), status


@bp.get("/console/documents/<kind>/<doc_uuid>/sign")
def sign_page(kind, doc_uuid):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    src, source = _found(kind, doc_uuid)
    return _page(kind, doc_uuid, src, source)


def _png(data_url: str) -> bytes | None:
    """The PNG of the pad, if it is one of sane size with some ink on it; None otherwise."""
    if not data_url.startswith(PREFIX) or len(data_url) > MAX_DATA_URL:
        return None
    try:
        data = base64.b64decode(data_url[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        return None
    if signature_image(data) is None:
        return None
    with Image.open(io.BytesIO(data)) as picture:
        low, high = picture.convert("L").getextrema()
    return data if high - low > 40 else None   # a blank pad is not a signature


def _signer(team: list[dict]) -> tuple[str, str] | None:
    choice = request.form.get("signer", "")
    if choice == "manager":
        name = clean(request.form.get("manager_name", ""), 60)
        return ("manager", name) if 0 < len(name) <= 50 else None
    names = [p["name"] for p in team if p["name"]]
    return ("inspector", choice[len("inspector:"):]) if choice.startswith("inspector:") and choice[10:] in names else None


@bp.post("/console/documents/<kind>/<doc_uuid>/sign")
def sign(kind, doc_uuid):
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    src, source = _found(kind, doc_uuid)
    if kind != "opinion" and not display_number(source.get("number")):
        return refuse_document("document_not_numbered")
    who = _signer(_team(kind, src))
    if who is None:
        return _page(kind, doc_uuid, src, source, 422, t("signing.bad_signer"))
    refused = request.form.get("action") == "refuse"
    note = clean(request.form.get("refusal_note", ""), 300)
    png = None if refused else _png(request.form.get("image", ""))
    if not refused and png is None:
        return _page(kind, doc_uuid, src, source, 422, t("signing.bad_image"))
    entry = {"signer": who[0], "name": who[1], "at": now_iso(), "refused": refused, "refusal_note": note if refused else "",
             "attachment": None, "content_sha256": document_hash(signed_doc.content(kind, src)),
             "doc_rev": source.get("_rev"), "by": g.user["username"]}
    base = {"kind": kind, "source": source["_id"], "n": getattr(src, "n", None), "region": source.get("region")}
    try:
        append(database("records"), signed_doc.sign_id(kind, doc_uuid, src), base, entry, png)
    except ValueError:
        return _page(kind, doc_uuid, src, source, 409, t("error.conflict"))
    audit.append(database("audit"), g.user["username"], "document.refuse" if refused else "document.sign", source["_id"],
                 {"kind": kind, "signer": who[0], "name": who[1], "content_sha256": entry["content_sha256"],
                  **({"n": src.n} if kind == "opinion" else {})})
    current_app.logger.info("%s %s signed on screen by %s", kind, source["_id"], who[0])
    return redirect(url_for("signing.sign_page", kind=kind, doc_uuid=doc_uuid, done="refused" if refused else "signed",
                            **({"n": src.n} if kind == "opinion" else {})), 303)
