"""Register documents: how enterprises, sites and inspectors are keyed, built, found and paged."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

from schemas.regions import filter_prefix
from sync.couch import Database

SCOPE_END = "\ufff0"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def enterprise_id(uscc: str) -> str:
    return f"enterprise:{uscc}"


def site_id(uscc: str, number: int) -> str:
    return f"site:{uscc}:{number:02d}"


def inspector_id(cert_no: str) -> str:
    """Deterministic from the certificate number at creation (re-import finds it), and db-name safe."""
    return "inspector:" + hashlib.sha256(cert_no.encode("utf-8")).hexdigest()[:12]


def enterprise_doc(data: dict, existing: dict | None = None) -> dict:
    doc = dict(existing or {"_id": enterprise_id(data["uscc"]), "type": "enterprise", "active": True,
                            "created_at": now_iso()})
    doc.update({k: v for k, v in data.items() if k != "site"})
    doc["search"] = search_text(doc["name"], doc["uscc"])
    if existing:
        doc["updated_at"] = now_iso()
    return doc


def site_doc(enterprise: dict, number: int, data: dict, existing: dict | None = None) -> dict:
    doc = dict(existing or {"_id": site_id(enterprise["uscc"], number), "type": "site",
                            "enterprise": enterprise["uscc"], "main": number == 1, "crs": "WGS84",
                            "created_at": now_iso()})
    doc.update(data)
    doc["region"] = enterprise["region"]  # sites are scoped like their enterprise
    if existing:
        doc["updated_at"] = now_iso()
    return doc


def inspector_doc(data: dict, existing: dict | None = None) -> dict:
    doc = dict(existing or {"_id": inspector_id(data["cert_no"]), "type": "inspector", "created_at": now_iso()})
    doc.update(data)
    doc["search"] = search_text(doc["name"], doc["cert_no"], doc["unit"])
    if existing:
        doc["updated_at"] = now_iso()
    return doc


def scope_selector(prefix: str, region: str | None) -> dict | None:
    """Mango condition on `region` for a user's scope, narrowed by an optional region filter."""
    narrow = filter_prefix(region) if region else ""  # 370100 → 3701, 370000 → 37, 370102 → 370102
    if narrow and not narrow.startswith(prefix) and not prefix.startswith(narrow):
        return None  # the filter lies outside the scope: nothing to show
    effective = narrow if len(narrow) > len(prefix) else prefix
    return {"$gte": effective, "$lt": effective + SCOPE_END}


def page(db: Database, selector: dict, page_no: int, per_page: int, sort=None) -> dict:
    rows = db.find(selector, limit=per_page + 1, skip=(page_no - 1) * per_page, sort=sort)
    return {"items": rows[:per_page], "page": page_no, "per_page": per_page, "has_more": len(rows) > per_page}


_REGEX_SPECIAL = re.compile(r"([\\^$.|?*+()\[\]{}/-])")


def regex_literal(text: str) -> str:
    """Escape for a regular expression that both JavaScript (pouchdb-server) and PCRE (CouchDB) read
    the same way; inline flags such as (?i) are avoided because JavaScript rejects them."""
    return _REGEX_SPECIAL.sub(r"\\\1", text)


def search_text(*parts) -> str:
    """One lower-cased field to search in: pouchdb-server's Mango cannot combine $or with $regex."""
    return " ".join(str(p) for p in parts if p).lower()


def text_match(q: str) -> dict:
    """Case-insensitive substring match on the document's `search` field (Mango $regex, escaped)."""
    return {"search": {"$regex": regex_literal(q.strip().lower())}}


def search_enterprises(db: Database, prefix: str, args: dict) -> dict | None:
    scope = scope_selector(prefix, args.get("region"))
    if scope is None:
        return {"items": [], "page": args["page"], "per_page": args["per_page"], "has_more": False}
    sel: dict = {"type": "enterprise", "region": scope}
    for key in ("industry", "risk"):
        if args.get(key):
            sel[key] = args[key]
    if args.get("q"):
        sel.update(text_match(args["q"]))
    return page(db, sel, args["page"], args["per_page"])


def search_inspectors(db: Database, prefix: str, args: dict) -> dict:
    scope = scope_selector(prefix, args.get("region"))
    if scope is None:
        return {"items": [], "page": args["page"], "per_page": args["per_page"], "has_more": False}
    sel: dict = {"type": "inspector", "region": scope}
    if args.get("kind"):
        sel["kind"] = args["kind"]
    if args.get("active") is not None:
        sel["active"] = args["active"]
    if args.get("sector"):
        sel["sectors"] = {"$elemMatch": {"$eq": args["sector"]}}
    if args.get("q"):
        sel.update(text_match(args["q"]))
    return page(db, sel, args["page"], args["per_page"])


def sites_of(db: Database, uscc: str) -> list[dict]:
    rows = db.all_docs(include_docs=True, startkey=f"site:{uscc}:", endkey=f"site:{uscc}:{SCOPE_END}")
    return [r["doc"] for r in rows if r.get("doc")]


def inspectors_by_cert(db: Database, certs: list[str]) -> dict[str, dict]:
    found = {}
    for start in range(0, len(certs), 500):
        chunk = certs[start:start + 500]
        for doc in db.find({"type": "inspector", "cert_no": {"$in": chunk}}, limit=len(chunk) * 2):
            found[doc["cert_no"]] = doc
    return found
