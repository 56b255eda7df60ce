"""Inspector databases (one per phone user): names, creation, and what dispatch writes into them."""
from __future__ import annotations

import re

from sync.bootstrap import SECURITY
from sync.couch import Couch, Database
from sync.seal import seal

DB_PATTERN = re.compile(r"^inspector_[0-9a-f]{12}$")


def db_name(inspector_id: str) -> str:
    """`inspector:3f2a9c1b0d4e` → `inspector_3f2a9c1b0d4e` (CouchDB names allow no colon)."""
    return "inspector_" + inspector_id.split(":", 1)[1]


def ensure_db(server: Couch, prefix: str, inspector_id: str) -> Database:
    name = prefix + db_name(inspector_id)
    # One shard: an inspector's database stays small (PHONE_DOC_BUDGET), and a cluster holds thousands.
    if server.create_db(name, q=1):
        server.db(name).put_security(SECURITY)
    return server.db(name)


def team_of(task: dict, people: dict[str, dict]) -> list[dict]:
    """The team as the phone shows and signs it: name, certificate number and unit of each member."""
    team = []
    for member in dict.fromkeys(task["inspectors"] + task["experts"]):
        person = people.get(member) or {}
        team.append({"id": member, "name": person.get("name", ""), "cert_no": person.get("cert_no", ""),
                     "unit": person.get("unit", ""), "kind": "expert" if member in task["experts"] else "inspector"})
    return team


def task_package(task: dict, plan: dict, site: dict | None, enterprise: dict | None,
                 checklist: dict | None, people: dict[str, dict] | None = None) -> list[dict]:
    """The documents a phone needs for one task: the task (with its team), its site, the enterprise, the checklist."""
    docs = [{"_id": task["_id"], "type": "task", "plan_name": plan["name"], "team": team_of(task, people or {}),
             "kind": task.get("kind") or ("random" if task.get("random") else "targeted"),
             "checklist_title": (checklist or {}).get("title"),
             **{k: task[k] for k in ("enterprise", "enterprise_name", "site", "region", "tier", "inspectors",
                                     "experts", "window", "checklist", "status")},
             **({"hazards": task["hazards"]} if task.get("hazards") else {}),
             # a report's verification: what was seen and where (never who reported: server/reports/verification.py)
             **({"report_check": task["report_check"]} if task.get("report_check") else {})}]
    if site:
        docs.append({"_id": site["_id"], "type": "site", **{k: site.get(k) for k in (
            "enterprise", "name", "address", "lng", "lat", "radius_m", "crs")}})
    if enterprise:
        docs.append({"_id": enterprise["_id"], "type": "enterprise", **{k: enterprise.get(k) for k in (
            "uscc", "name", "address", "legal_rep", "phone", "industry", "region")}})
    if checklist:
        docs.append({"_id": checklist["_id"], "type": "checklist", **{k: checklist.get(k) for k in (
            "key", "version", "title", "basis", "items", "sectors")}})
    return docs


def write_sealed(db: Database, docs: list[dict], secret: bytes) -> None:
    """Upsert server documents (sealed) into a phone database; unchanged ones are left alone."""
    current = db.docs_by_id([d["_id"] for d in docs])
    out = []
    for doc in docs:
        sealed = seal(dict(doc), secret)
        old = current.get(doc["_id"])
        if old and old.get("seal") == sealed["seal"]:
            continue
        if old:
            sealed["_rev"] = old["_rev"]
        out.append(sealed)
    if out:
        db.bulk_docs(out)


def remove(db: Database, doc_ids: list[str]) -> int:
    """Delete documents from a phone database (the deletion replicates to the phone)."""
    current = db.docs_by_id(doc_ids)
    gone = [{"_id": d["_id"], "_rev": d["_rev"], "_deleted": True} for d in current.values()]
    if gone:
        db.bulk_docs(gone)
    return len(gone)
