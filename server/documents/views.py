"""GET /console/documents/<kind>/<uuid>.pdf|.html: staff in scope only, every access audited."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, make_response, render_template, request, url_for

from i18n import t
from server import audit
from server.accounts import roles
from server.console.views import staff_only
from server.db import database, registry
from server.documents import decision, opinion, order, pdf_guard, record, render
from server.documents.sources import UUID, Refused, load_decision, load_opinion, load_order, load_record
from server.signing.content import with_console_signatures
from server.errors import CATALOGUE, ApiError, error_response

bp = Blueprint("documents", __name__)
KINDS = ("record", "order", "opinion", "decision")
MAX_N = 999


@bp.get("/console/documents/<kind>/<doc_uuid>.<fmt>")
def document(kind: str, doc_uuid: str, fmt: str):
    """现场检查记录 (record), 责令限期整改指令书 (order), 整改复查意见书 (opinion, ?n= the n-th re-inspection)."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    if kind not in KINDS or fmt not in ("pdf", "html") or not UUID.match(doc_uuid):
        abort(404)
    n = reinspection_number() if kind == "opinion" else None
    try:
        found = build(kind, doc_uuid, n)
    except Refused as exc:
        if not roles.in_scope(g.user, exc.region):
            abort(404)
        return refuse(exc.code)
    if found is None or not roles.in_scope(g.user, found[1]):
        abort(404)  # out of scope reads as absent: existence is not disclosed
    subject, _region, doc = found
    n = doc.get("n")  # the re-inspection shown (the latest when ?n= was not given): the PDF link keeps it
    if fmt == "pdf" and doc["draft"]:
        return refuse("document_not_numbered")
    audit.append(database("audit"), g.user["username"], f"document.{kind}.{fmt}", subject,
                 {"number": doc["number"], "draft": doc["draft"], **({"n": n} if n else {})})
    if fmt == "html":
        pdf_url = url_for("documents.document", kind=kind, doc_uuid=doc_uuid, fmt="pdf", **({"n": n} if n else {}),
                          **({"full": "1"} if doc.get("full") else {}))
        sign_url = (url_for("signing.sign_page", kind=kind, doc_uuid=doc_uuid, **({"n": n} if n else {}))
                    if kind != "record" and not doc["draft"] else None)
        resp = make_response(render.html(doc, preview=True, pdf_url=pdf_url, sign_url=sign_url))
        resp.headers["Content-Type"] = "text/html; charset=utf-8"
    else:
        resp = make_response(pdf_guard.pdf(doc))  # cached, bounded in size, time, concurrency
        resp.headers["Content-Type"] = "application/pdf"
        resp.headers["Content-Disposition"] = render.content_disposition(
            render.file_name(doc, "pdf"), f"{kind}-{doc_uuid}.pdf")
    resp.headers["Cache-Control"] = "private, no-store"  # personal data: never kept by a proxy or the browser
    return resp


def build(kind: str, doc_uuid: str, n: int | None):
    """(subject id, region, context) for the document, or None if its source does not exist."""
    records, table = database("records"), current_app.extensions["doc_authorities"]
    if kind == "record":
        src = load_record(records, registry(), doc_uuid)
        # ?full=1 prints every item; by default failed items in full and one line for the rest
        return src and (src.inspection["_id"], src.inspection.get("region"),
                        record.build(src, table, full=request.args.get("full") == "1"))
    if kind == "order":
        src = load_order(records, registry(), doc_uuid)
        src = src and with_console_signatures(kind, src, doc_uuid, records)
        return src and (src.order["_id"], src.order.get("region"), order.build(src, table))
    if kind == "decision":
        src = load_decision(records, registry(), doc_uuid)
        src = src and with_console_signatures(kind, src, doc_uuid, records)
        return src and (src.decision["_id"], src.decision.get("region"), decision.build(src, table))
    src = load_opinion(records, registry(), doc_uuid, n)
    src = src and with_console_signatures(kind, src, doc_uuid, records)
    return src and (src.case["_id"], src.case.get("region"), opinion.build(src, table))


def reinspection_number() -> int | None:
    """?n=2: the second re-inspection of the case (1 = the first); absent = the latest."""
    raw = request.args.get("n")
    if raw is None:
        return None
    if not (raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= MAX_N):
        raise ApiError("validation", errors={"n": [t("doc.bad_n", max=MAX_N)]})
    return int(raw)


def refuse(code: str):
    """A document that cannot be produced: the error page for a browser, the error shape otherwise."""
    status, message = CATALOGUE[code], t(f"error.{code}")
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return render_template("error.html", status=status, message=message), status
    return error_response(code, status, message)
