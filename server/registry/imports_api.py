"""API for bulk import and export of the registers (CSV/XLSX as bureaus keep them), and their templates."""
from __future__ import annotations

from flask import Response, current_app, g, request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from i18n import Problem, t
from schemas.common import StrictSchema
from server import audit_trail
from server.accounts import roles
from server.accounts.guard import current_user, require
from server.db import registry
from server.errors import ApiError
from server.registry import store, tabular
from server.registry.importer import ImportRejected, run_import
from server.registry.preview import PREVIEW_ROWS

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports", description="Bulk import and export")
KINDS = ("enterprises", "inspectors")
MIME = {"csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class FormatArgs(StrictSchema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("csv", "xlsx")))


class ImportResultSchema(StrictSchema):
    import_id = fields.String()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged_rows = fields.Integer()
    # a dry run (?dry_run=1): nothing written, per row what would happen (server/registry/preview.py)
    dry_run = fields.Boolean()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    preview = fields.List(fields.Dict())
    problems = fields.List(fields.Dict())
    problem_count = fields.Integer()


def import_upload(kind: str, upload, dry_run: bool = False) -> dict:
    """Parse, validate and write one uploaded file; ImportRejected lists every problem (line 0 = the file).
    `dry_run`: write nothing, answer what each row would do (problems included, not raised)."""
    if kind not in KINDS:
        raise ApiError("not_found")
    if upload is None or not upload.filename:
        raise ImportRejected([{"line": 0, "field": None, "message": t("tabular.no_file")}])
    data = upload.read(current_app.config["IMPORT_MAX_MB"] * 1024 * 1024 + 1)
    try:
        parsed = tabular.read_table(data, upload.filename, kind,
                                    max_bytes=current_app.config["IMPORT_MAX_MB"] * 1024 * 1024)
    except Problem as exc:
        raise ImportRejected([{"line": 0, "field": None, "message": exc.message()}]) from None
    structural = [{"line": p.line, "field": p.field, "message": t(p.code, **p.params)} for p in parsed.problems]
    if dry_run:
        result = run_import(registry(), kind, parsed.rows, current_user(), upload.filename, dry_run=True)
        seen = {(p["line"], p["field"]) for p in structural}
        result["problems"] = sorted(structural + [p for p in result["problems"] if (p["line"], p["field"]) not in seen],
                                    key=lambda p: p["line"])[:PREVIEW_ROWS]
        result["problem_count"] += len(structural)
        return result
    try:
        result = run_import(registry(), kind, parsed.rows, current_user(), upload.filename)
    except ImportRejected as exc:
        seen = {(p["line"], p["field"]) for p in structural}  # the parser already said "required" there
        extra = [p for p in exc.problems if (p["line"], p["field"]) not in seen]
        raise ImportRejected(sorted(structural + extra, key=lambda p: p["line"])) from None
    if structural:
        raise ImportRejected(structural)
    audit_trail.record("registry.import", f"import:{result.get('import_id')}",
                       {"kind": kind, "file": upload.filename[:200], **{k: result.get(k) for k in
                                                                        ("rows", "created", "updated")}})
    return result


@blp.route("/<string:kind>", methods=["POST"])
@require(*roles.STAFF)
@blp.response(200, ImportResultSchema)
def upload(kind):
    """Import a CSV or XLSX file (form field `file`): all rows or none; re-importing updates by key, and
    only the columns the file has. `?dry_run=1`: nothing is written; per row: create / update (the fields
    that would change) / unchanged / error, with counts in rows."""
    try:
        return import_upload(kind, request.files.get("file"), request.args.get("dry_run") in ("1", "true"))
    except ImportRejected as exc:
        shown = exc.problems[:PREVIEW_ROWS]  # the first ones and the count: never a 40 MB error list
        message = t("capacity.import_problems", total=len(exc.problems), shown=len(shown))
        raise ApiError("import_rejected", errors=shown, message=message) from None


@blp.route("/<string:kind>/template", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(FormatArgs, location="query")
def download_template(args, kind):
    """An empty spreadsheet with the headers the import accepts."""
    if kind not in KINDS:
        raise ApiError("not_found")
    body = tabular.template(kind, args["format"], g.get("locale", "zh_CN"))
    return _file(body, f"{kind}-template.{args['format']}", args["format"])


@blp.route("/<string:kind>/export", methods=["GET"])
@require(*roles.STAFF)
@blp.arguments(FormatArgs, location="query")
def export(args, kind):
    """The register in the caller's region as a spreadsheet (cells that could run as formulas neutralised)."""
    if kind not in KINDS:
        raise ApiError("not_found")
    rows = export_rows(kind, roles.scope_prefix(current_user()))
    body = tabular.write_table(rows, kind, args["format"], g.get("locale", "zh_CN"))
    audit_trail.record("registry.export", kind, {"format": args["format"], "rows": len(rows),
                                                  "scope": roles.scope_prefix(current_user())})
    return _file(body, f"{kind}.{args['format']}", args["format"])


def export_rows(kind: str, prefix: str) -> list[dict]:
    doc_type = "enterprise" if kind == "enterprises" else "inspector"
    docs = registry().find({"type": doc_type, "region": store.scope_selector(prefix, None)}, limit=1_000_000)
    if kind == "inspectors":
        return [{**d, "sectors": "、".join(d.get("sectors", [])),
                 "avoid": ";".join(a["uscc"] for a in d.get("avoid", []))} for d in docs]
    sites = {s["enterprise"]: s for s in registry().find(
        {"type": "site", "region": store.scope_selector(prefix, None), "main": True}, limit=1_000_000)}
    return [{**d, "lng": sites.get(d["uscc"], {}).get("lng"), "lat": sites.get(d["uscc"], {}).get("lat")}
            for d in docs]


def _file(body: bytes, filename: str, fmt: str) -> Response:
    return Response(body, mimetype=MIME[fmt].split(";")[0], headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Content-Type": MIME[fmt]})
