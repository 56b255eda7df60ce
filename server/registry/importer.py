"""Bulk import of the registers: every row validated first; any bad row and nothing is written."""
from __future__ import annotations

import logging
import uuid

from marshmallow import ValidationError

from i18n import Problem, t
from schemas.common import translate_errors
from schemas.registry import EnterpriseCreateSchema, InspectorSchema
from server.accounts import roles
from server.registry import store
from server.registry.tabular.deadline import import_deadline
from sync.couch import CouchError, Database

log = logging.getLogger(__name__)
BATCH = 2000
KEY_LOOKUP_LIMIT = 2000
_ENTERPRISE_SCHEMA = EnterpriseCreateSchema()
_INSPECTOR_SCHEMA = InspectorSchema()


class ImportRejected(Exception):
    """The file was not imported; `problems` lists every bad row: {line, field, message}."""

    def __init__(self, problems: list[dict]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def _present(row: dict) -> dict:
    return {k: v for k, v in row.items() if v not in ("", None)}


def enterprise_input(row: dict) -> dict:
    """A spreadsheet row (canonical field names) as the enterprise schema's input, main site included."""
    data = _present(row)
    site = {"name": t("registry.main_site_name", "zh_CN"), "address": data.get("address", "")}
    for key in ("lng", "lat"):
        if key in data:
            site[key] = data.pop(key)
    data["site"] = site
    return data


def inspector_input(row: dict) -> dict:
    data = _present(row)
    if "avoid" in data:
        codes = [c for c in store_split(data["avoid"]) if c]
        data["avoid"] = [{"uscc": c, "reason": t("registry.avoid_from_import", "zh_CN")} for c in codes]
    return data


def store_split(text: str) -> list[str]:
    from schemas.registry import LIST_SPLIT
    return LIST_SPLIT.split(text.strip())


def _flatten(line: int, errors, prefix: str = "") -> list[dict]:
    out = []
    for field, messages in errors.items():
        name = f"{prefix}{field}"
        if isinstance(messages, dict):
            out.extend(_flatten(line, messages, name + "."))
        else:
            out.extend({"line": line, "field": name, "message": str(m)} for m in messages)
    return out


def validate_rows(kind: str, rows: list[tuple[int, dict]], user: dict) -> tuple[list[tuple[int, dict]], list[dict]]:
    """Load every row through the schema; returns (valid rows, problems), never stopping at the first."""
    schema, to_input, key = ((_ENTERPRISE_SCHEMA, enterprise_input, "uscc") if kind == "enterprises"
                             else (_INSPECTOR_SCHEMA, inspector_input, "cert_no"))
    valid, problems, first_line = [], [], {}
    deadline = import_deadline()
    for number, (line, row) in enumerate(rows):
        if number % 1000 == 999:
            try:
                deadline.check(line)
            except Problem as exc:
                problems.append({"line": 0, "field": None, "message": exc.message()})
                return valid, problems
        try:
            data = schema.load(to_input(row))
        except ValidationError as exc:
            problems.extend(_flatten(line, translate_errors(exc.messages)))
            continue
        if not roles.in_scope(user, data["region"]):
            problems.append({"line": line, "field": "region", "message": t("registry.region_out_of_scope",
                                                                               region=data["region"])})
        if data[key] in first_line:
            problems.append({"line": line, "field": key, "message": t("registry.duplicate_in_file",
                                                                         other=first_line[data[key]])})
            continue
        first_line[data[key]] = line
        data[PRESENT] = frozenset(_present(row))  # the columns this row fills: only they update (issue 17)
        valid.append((line, data))
    return valid, problems


_VOLATILE = ("_rev", "updated_at", "created_at", "import_id", "search")  # never a reason to rewrite a document
PRESENT = "__present__"
SITE_COLUMNS = ("address", "lng", "lat", "radius_m")


def only_present(data: dict, old: dict | None, keys: tuple[str, ...]) -> dict:
    """A re-import changes only what the file says: for an existing document, the fields of columns this
    row filled (and its keys); every other field keeps its stored value, not the schema's default."""
    present = data.pop(PRESENT, frozenset())
    if old is None:
        return data
    return {k: v for k, v in data.items() if k in present or k in keys}


def _same(a: dict | None, b: dict) -> bool:
    if a is None:
        return False
    strip = lambda d: {k: v for k, v in d.items() if k not in _VOLATILE}  # noqa: E731
    return strip(a) == strip(b)


def existing_docs(db: Database, ids: list[str]) -> dict[str, dict]:
    """The current documents for `ids`. Many keys: list which ids exist by a range scan of their prefixes
    (cheap, no bodies) and fetch only those; looking up each key costs far more on pouchdb-server."""
    if len(ids) <= KEY_LOOKUP_LIMIT:
        return db.docs_by_id(ids)
    present: set[str] = set()
    for prefix in sorted({i.split(":", 1)[0] + ":" for i in ids}):
        present.update(r["id"] for r in db.all_docs(startkey=prefix, endkey=prefix + store.SCOPE_END))
    return db.docs_by_id([i for i in ids if i in present])


def plan_enterprises(db: Database, valid: list[tuple[int, dict]], user: dict):
    """The documents to write (enterprise + main site per row) and what they replace."""
    ids = [i for _, d in valid for i in (store.enterprise_id(d["uscc"]), store.site_id(d["uscc"], 1))]
    existing = existing_docs(db, ids)
    docs, previous, problems = [], {}, []
    lines: dict[str, int] = {}  # document id → the file's line that wrote it
    for line, data in valid:
        old = existing.get(store.enterprise_id(data["uscc"]))
        if old and not roles.in_scope(user, old["region"]):
            problems.append({"line": line, "field": "uscc", "message": t("registry.exists_out_of_scope")})
            continue
        present = data[PRESENT]
        old_site = existing.get(store.site_id(data["uscc"], 1))
        site_data = {k: v for k, v in data["site"].items()
                     if old_site is None or (k in SITE_COLUMNS and k in present)}
        ent = store.enterprise_doc({**only_present(data, old, ("uscc", "site")), "active": True}, existing=old)
        site = store.site_doc(ent, 1, site_data, existing=old_site)
        for doc, before in ((ent, old), (site, old_site)):
            if not _same(before, doc):
                docs.append(doc)
                previous[doc["_id"]] = before
                lines[doc["_id"]] = line
    return docs, previous, problems, lines


def plan_inspectors(db: Database, valid: list[tuple[int, dict]], user: dict):
    existing = store.inspectors_by_cert(db, [d["cert_no"] for _, d in valid])
    docs, previous, problems = [], {}, []
    lines: dict[str, int] = {}  # document id → the file's line that wrote it
    for line, data in valid:
        old = existing.get(data["cert_no"])
        if old and not roles.in_scope(user, old["region"]):
            problems.append({"line": line, "field": "cert_no", "message": t("registry.exists_out_of_scope")})
            continue
        data = only_present(data, old, ("cert_no",))
        if old and "avoid" in data:  # never drop an avoidance entry silently: imported ones add to those recorded
            known = {a["uscc"] for a in data["avoid"]}
            data["avoid"] = data["avoid"] + [a for a in old.get("avoid", []) if a["uscc"] not in known]
        doc = store.inspector_doc(data, existing=old)
        if not _same(old, doc):
            docs.append(doc)
            previous[doc["_id"]] = old
            lines[doc["_id"]] = line
    return docs, previous, problems, lines


def commit(db: Database, docs: list[dict], previous: dict[str, dict | None]) -> None:
    """Write all documents or none: on any failure, written ones are put back as they were."""
    written: list[tuple[dict, str]] = []
    try:
        for start in range(0, len(docs), BATCH):
            chunk = docs[start:start + BATCH]
            results = db.bulk_docs(chunk)
            failed = [r for r in results if "error" in r]
            written.extend((d, r["rev"]) for d, r in zip(chunk, results) if "error" not in r)
            if failed:
                raise CouchError(409, failed[0].get("error", "conflict"), failed[0].get("id", ""))
    except CouchError:
        _rollback(db, written, previous)
        raise


def _rollback(db: Database, written: list[tuple[dict, str]], previous: dict) -> None:
    undo = []
    for doc, rev in written:
        before = previous.get(doc["_id"])
        undo.append({**before, "_rev": rev} if before else {"_id": doc["_id"], "_rev": rev, "_deleted": True})
    for start in range(0, len(undo), BATCH):
        db.bulk_docs(undo[start:start + BATCH])
    log.warning("import rolled back: %d documents restored", len(undo))


def run_import(db: Database, kind: str, rows: list[tuple[int, dict]], user: dict, filename: str,
               dry_run: bool = False) -> dict:
    """Validate, plan and write one file's rows; raises ImportRejected with every problem found. With
    `dry_run`, nothing is written: the answer says per row what would happen (server/registry/preview.py)."""
    from server.registry.preview import outcome
    valid, problems = validate_rows(kind, rows, user)
    planner = plan_enterprises if kind == "enterprises" else plan_inspectors
    docs, previous, more, lines = planner(db, valid, user)
    problems = sorted(problems + more, key=lambda p: p["line"])
    result = outcome(rows, docs, previous, lines, problems)
    if dry_run:
        return result
    if problems:
        raise ImportRejected(problems)
    import_id = uuid.uuid4().hex
    for doc in docs:
        doc["import_id"] = import_id
    journal = {"_id": f"import:{import_id}", "type": "import", "kind": kind, "filename": filename[:200],
               "by": user["username"], "at": store.now_iso(), "rows": len(rows), "status": "writing"}
    db.put(journal)
    try:
        commit(db, docs, previous)
    except CouchError:
        journal["status"] = "rolled_back"
        db.put(journal)
        raise
    counts = result["counts"]
    journal.update(status="done", created=counts["create"], updated=counts["update"])
    db.put(journal)
    # counted in rows, as the preview: an enterprise row writes its main site too, which is not a second row
    return {"import_id": import_id, "rows": len(rows), "created": counts["create"], "updated": counts["update"],
            "unchanged_rows": counts["unchanged"]}
