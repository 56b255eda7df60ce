"""The worker's ordered steps for one changed document: validate, authorise, file, photos, evidence, reject."""
from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from schemas.field import schema_for
from sync.couch import Conflict, CouchError, Database, NotFound
from sync.jsondepth import depth_of
from sync.seal import is_sealed, seal, server_owned
from sync.worker.cases import case_for, case_id, hazard_counts
from sync.worker.evidence import check_in_verdict
from sync.worker.filing import carry_over, denormalised, final_status, review_status, signature_attachments
from sync.worker.reading import readable_rows

log = logging.getLogger(__name__)
MAX_DOC_BYTES = 1_000_000


@dataclass
class Context:
    """What a step may use: the databases, the inspector whose phone sent the change, and settings."""
    source: Database
    inspector_id: str
    registry: Database
    records: Database
    seal_secret: bytes
    qr_keys: dict
    base_url: str
    photo_options: dict = field(default_factory=dict)
    signature_max_bytes: int = 512 * 1024
    max_depth: int = 32                             # SYNC_MAX_JSON_DEPTH: the gateway's bound, checked again
    known: dict = field(default_factory=dict)      # documents read ahead for the current batch
    to_write: list = field(default_factory=list)   # records written together at the end of the batch
    pending: dict = field(default_factory=dict)    # the same records by id, so a later step can amend one

    def prefetch(self, docs: list[dict]) -> None:
        """Read in a few requests what the batch's steps will ask for, instead of one request each."""
        tasks = {d.get("task") for d in docs if isinstance(d.get("task"), str)}
        self.known = {"registry": self.registry.docs_by_id(sorted(tasks)), "records": {}, "rejections": {}}
        refs = {t["site"] for t in self.known["registry"].values() if t.get("site")}
        refs |= {f"enterprise:{t['enterprise']}" for t in self.known["registry"].values() if t.get("enterprise")}
        found = self.registry.docs_by_id(sorted(refs))
        self.known["registry"].update({ref: found.get(ref) for ref in refs})  # None: asked, and not there
        ids = [d["_id"] for d in docs]
        self.known["phone_hazards"] = self._phone_hazards(docs)
        wanted = set(ids) | {case_id(i) for i in ids if i.startswith("hazard:")}
        inspections = {d["inspection"] for d in docs if d.get("type") == "hazard" and isinstance(d.get("inspection"), str)}
        inspections |= {i for i in ids if i.startswith("inspection:")}
        wanted |= inspections | {h for i in inspections for h in self.known["phone_hazards"].get(i, [])}
        self.known["records"] = self.records.docs_by_id(sorted(wanted))
        self.known["rejections"] = self.source.docs_by_id([f"rejection:{i}" for i in ids])

    def _phone_hazards(self, docs: list[dict]) -> dict[str, list[str]]:
        """inspection id → ids of the hazards the phone holds for it (read only when the batch needs it)."""
        if not any(d.get("type") in ("inspection", "hazard") for d in docs):
            return {}
        by_inspection: dict[str, list[str]] = {}
        for doc in readable_rows(self.source, "hazard:", "hazard:\ufff0"):
            if isinstance(doc.get("inspection"), str):
                by_inspection.setdefault(doc["inspection"], []).append(doc["_id"])
        return by_inspection

    def lookup(self, where: str, doc_id: str) -> dict | None:
        """A document read ahead for this batch; one outside it (a site of a task) is fetched directly."""
        if where == "records" and doc_id in self.pending:
            return self.pending[doc_id]
        if doc_id in self.known.get(where, {}):
            return self.known[where][doc_id]
        if where == "registry":
            return self.registry.get_or_none(doc_id)
        return None  # records and rejections: every id of the batch was asked for, so it does not exist

    def write(self, record: dict) -> None:
        """Queue a record for the batch's one write (a second write of the same id amends the first)."""
        if record["_id"] in self.pending:
            self.pending[record["_id"]].clear()
            self.pending[record["_id"]].update(record)
            return
        self.pending[record["_id"]] = record
        self.to_write.append(record)

    def flush(self) -> None:
        """Write the batch's records; any failure raises, so the checkpoint stays and the batch is redone."""
        if not self.to_write:
            return
        failed = [r for r in self.records.bulk_docs(self.to_write) if "error" in r]
        self.to_write, self.pending = [], {}
        if failed:
            # Only conflicts: another worker (another machine) filed the same documents at the same moment.
            # That is a race, not the documents' fault: the batch is read again later and found filed.
            kind = Conflict if all(r["error"] == "conflict" for r in failed) else CouchError
            raise kind(409, failed[0]["error"], f"{len(failed)} records not written, first {failed[0].get('id')}")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def handle(ctx: Context, doc: dict) -> str:
    """Run the steps for one document; returns what happened ('filed', 'rejected:<code>', 'skipped', …)."""
    if doc["_id"].startswith("_design/") or doc.get("_deleted"):
        return "skipped"
    if depth_of(doc, ctx.max_depth) > ctx.max_depth:  # before anything walks it recursively
        return reject(ctx, doc, "field.too_deep", limit=ctx.max_depth)
    if server_owned(doc["_id"]) or doc.get("type") in ("rejection", "review"):
        return "server" if is_sealed(doc, ctx.seal_secret) else reject(ctx, doc, "field.server_id_collision")
    schema = schema_for(doc)
    if schema is None:
        return reject(ctx, doc, "field.unknown_type", kind=str(doc.get("type"))[:40])
    if len(str(doc)) > MAX_DOC_BYTES:
        return reject(ctx, doc, "field.too_large")
    try:
        data = schema().load(doc)
    except ValidationError as exc:
        return reject(ctx, doc, "field.invalid", errors=translate_errors(exc.messages))
    task = ctx.lookup("registry", data["task"])
    team = (task or {}).get("inspectors", []) + (task or {}).get("experts", [])
    if not task or ctx.inspector_id not in team or task.get("status") not in ("dispatched", "done", "published"):
        return reject(ctx, doc, "field.not_your_task")
    return file_document(ctx, doc, task)


def file_document(ctx: Context, doc: dict, task: dict) -> str:
    """Copy into `records` under the same id; a revision already filed is not filed again, and a record
    a supervisor approved or rejected is final (the phone is told so)."""
    existing = ctx.lookup("records", doc["_id"])
    if existing and existing.get("source", {}).get("rev") == doc["_rev"]:
        if set(doc.get("_conflicts") or []) - set(existing.get("conflicts") or []):
            # A losing revision that arrived after its winner was filed (a second device of the same
            # account syncing later): kept beside the record like any other, the record itself unchanged.
            ctx.write({**existing, "conflicts": keep_losers(ctx, doc)})
            return "conflict_kept"
        return "already_filed"
    if existing and existing.get("source", {}).get("db") not in (None, ctx.source.name):
        return reject(ctx, doc, "field.server_id_collision")
    parent = existing if doc["type"] == "inspection" else ctx.lookup("records", doc.get("inspection", ""))
    if doc["type"] != "photo" and final_status(parent):
        return reject(ctx, doc, f"field.record_{final_status(parent)}")
    site = ctx.lookup("registry", task["site"]) or {}
    enterprise = ctx.lookup("registry", f"enterprise:{task['enterprise']}") or {}
    record = {k: v for k, v in doc.items() if not k.startswith("_")}
    record.update(_id=doc["_id"], inspector=ctx.inspector_id, plan=task["plan"],
                  source={"db": ctx.source.name, "rev": doc["_rev"], "received_at": now_iso()},
                  **denormalised(task, site, enterprise))
    carry_over(record, existing, record["source"]["received_at"])
    if doc.get("_conflicts"):
        record["conflicts"] = keep_losers(ctx, doc)
    if doc["type"] == "photo":
        return file_photo(ctx, doc, record, existing)
    if doc["type"] == "inspection":
        return file_inspection(ctx, doc, task, site, record, existing)
    return file_hazard(ctx, doc, record, existing)


def file_inspection(ctx: Context, doc: dict, task: dict, site: dict, record: dict, existing: dict | None) -> str:
    record["checkin_verdict"] = check_in_verdict(doc["checkin"], task, site, ctx.qr_keys, ctx.base_url)
    record["review_status"] = review_status(doc["status"], existing)
    try:
        attachments = signature_attachments(doc, lambda name: ctx.source.get_attachment(doc["_id"], name),
                                            ctx.signature_max_bytes)
    except Problem as exc:
        return reject(ctx, doc, exc.code, **exc.params)
    if attachments:
        record["_attachments"] = attachments
    record["hazards"] = _counts(ctx, doc["_id"])
    if existing:
        record["_rev"] = existing["_rev"]
    ctx.write(record)
    clear_rejection(ctx, doc["_id"])
    return "filed"


def file_hazard(ctx: Context, doc: dict, record: dict, existing: dict | None) -> str:
    """The hazard, its case, and the counts on its inspection (when that is filed already)."""
    if existing:
        record["_rev"] = existing["_rev"]
    ctx.write(record)
    case = case_for(record, ctx.lookup("records", case_id(doc["_id"])), record["source"]["received_at"])
    if case is not None:
        ctx.write(case)
    parent = ctx.lookup("records", record["inspection"])
    if parent is not None:
        counts = _counts(ctx, record["inspection"], also=[doc["_id"]])
        if parent.get("hazards") != counts:
            ctx.write({**parent, "hazards": counts})
    clear_rejection(ctx, doc["_id"])
    return "filed"


def _counts(ctx: Context, inspection_id: str, also: list[str] = ()) -> dict:
    ids = list(dict.fromkeys([*ctx.known.get("phone_hazards", {}).get(inspection_id, []), *also]))
    return hazard_counts(ids, {i: ctx.lookup("records", i) for i in ids})


def keep_losers(ctx: Context, doc: dict) -> list[str]:
    """Conflict rule: CouchDB's deterministic winner is filed; each losing revision is kept in `records`
    as `conflict:<id>:<rev>` for a supervisor to see, never silently dropped."""
    kept = []
    for rev in doc["_conflicts"]:
        try:
            loser = ctx.source.get(doc["_id"], rev=rev)
        except NotFound:
            continue
        loser_id = f"conflict:{doc['_id']}:{rev}"
        if ctx.records.get_or_none(loser_id) is None:
            body = {k: v for k, v in loser.items() if not k.startswith("_")}
            ctx.records.put({"_id": loser_id, "type": "conflict", "of": doc["_id"], "rev": rev,
                             "winner_rev": doc["_rev"], "body": body, "at": now_iso()})
        kept.append(rev)
    return kept


def file_photo(ctx: Context, doc: dict, record: dict, existing: dict | None) -> str:
    """Verify and process the photo; the original is stored byte for byte, derived images beside it."""
    from sync.photos import process_photo
    names = list((doc.get("_attachments") or {}).keys())
    if len(names) != 1:
        return reject(ctx, doc, "field.photo_attachment")
    original = ctx.source.get_attachment(doc["_id"], names[0])
    caption = [doc["taken_at"], ctx.inspector_id]
    try:
        processed = process_photo(original, doc["sha256"], caption_lines=caption, **ctx.photo_options)
    except Problem as exc:
        return reject(ctx, doc, exc.code, **exc.params)
    record.update(width=processed.width, height=processed.height, photo_status="verified")
    # One write with all three images inline: a photo is filed whole or not at all.
    record["_attachments"] = {name: {"content_type": "image/jpeg", "data": base64.b64encode(data).decode()}
                              for name, data in (("original.jpg", original), ("thumbnail.jpg", processed.thumbnail),
                                                 ("watermarked.jpg", processed.watermarked))}
    if existing:
        record["_rev"] = existing["_rev"]
    ctx.records.put(record)
    clear_rejection(ctx, doc["_id"])
    return "filed"


def reject(ctx: Context, doc: dict, code: str, errors=None, **params) -> str:
    """Write (or refresh) a sealed rejection into the inspector's database, so the phone can show it."""
    rejection_id = f"rejection:{doc.get('_id', '')[:200]}"
    body = {"_id": rejection_id, "type": "rejection", "doc": doc.get("_id"), "rev": doc.get("_rev"),
            "code": code, "message": {"zh_CN": t(code, "zh_CN", **params), "en": t(code, "en", **params)},
            "errors": errors, "at": now_iso()}
    current = ctx.lookup("rejections", rejection_id)
    if current and current.get("rev") == body["rev"] and current.get("code") == code:
        return f"rejected:{code}"
    sealed = seal(body, ctx.seal_secret)
    if current:
        sealed["_rev"] = current["_rev"]
    ctx.source.put(sealed)
    log.info("rejected %s from %s: %s", doc.get("_id"), ctx.source.name, code)
    return f"rejected:{code}"


def clear_rejection(ctx: Context, doc_id: str) -> None:
    current = ctx.lookup("rejections", f"rejection:{doc_id}")
    if current:
        ctx.source.delete(current["_id"], current["_rev"])
