"""Loads the demo city through the real import path, and makes demo accounts with fresh passwords."""
from __future__ import annotations

import io
import secrets

from schemas import regions
from server.accounts import store as accounts
from server.demo.generate import enterprise_rows, inspector_rows, write_csv
from server.demo.tasks import dispatch_demo
from server.registry.store import SCOPE_END
from server.registry import tabular
from server.registry.importer import run_import
from sync.couch import Database

SYSTEM = {"username": "demo-loader", "role": "admin", "region": "370000"}
ACCOUNTS = [  # username, role, region, display name
    ("admin", "admin", "370000", "系统管理员"),
    ("jinan.sup", "supervisor", "370100", "济南市应急局审核人（王审核）"),
    ("jinan.sup2", "supervisor", "370100", "济南市应急局审核人（李复核）"),
    ("lixia.sup", "supervisor", "370102", "历下区应急局审核人（赵审核）"),
]


def import_rows(db: Database, kind: str, rows: list[dict]) -> dict:
    buffer = io.BytesIO()
    write_csv(rows, buffer)
    parsed = tabular.read_table(buffer.getvalue(), f"demo-{kind}.csv", kind)
    return run_import(db, kind, parsed.rows, SYSTEM, f"demo-{kind}.csv")


def load_demo(db: Database, force: bool = False, enterprises_n: int = 2400) -> dict:
    """Import the demo enterprises and inspectors unless the register already has enterprises."""
    if not force and db.find({"type": "enterprise", "region": {"$gt": None}}, limit=1):
        return {"skipped": "the register already has enterprises"}
    enterprises = enterprise_rows(enterprises_n)
    result = {"enterprises": import_rows(db, "enterprises", enterprises),
              "inspectors": import_rows(db, "inspectors", inspector_rows(enterprises))}
    result["accounts"] = _make_accounts(db)
    result["tasks"] = _field_work(db)
    return result


def _field_work(db: Database) -> dict:
    """A week of tasks for the first two demo inspectors (insp01 and insp02), as a team, on their phones."""
    team = [u["inspector_id"] for u in (accounts.get_user(db, n) for n in ("insp01", "insp02")) if u]
    if len(team) < 2:
        return {"skipped": "fewer than two demo inspectors"}
    prefix = regions.scope_prefix(accounts.get_user(db, "insp01")["region"])
    nearby = db.find({"type": "enterprise", "region": {"$gte": prefix, "$lt": prefix + SCOPE_END}}, limit=12)
    return dispatch_demo(db, "演示：本周现场检查任务", nearby, team)


def _make_accounts(db: Database) -> list[dict]:
    made = []
    people = db.find({"type": "inspector", "kind": "inspector", "region": {"$gt": None}}, limit=4)
    wanted = list(ACCOUNTS) + [(f"insp{i + 1:02d}", "inspector", p["region"], p["name"], p["_id"])
                               for i, p in enumerate(people)]
    for entry in wanted:
        username, role, region, name = entry[:4]
        if accounts.get_user(db, username):
            continue
        password = secrets.token_urlsafe(9)
        accounts.create_user(db, {"username": username, "role": role, "region": region, "display_name": name,
                                  "password": password, "active": True, "locale": "zh_CN",
                                  "must_change_password": _demo_must_change(),
                                  "inspector_id": entry[4] if len(entry) > 4 else None})
        made.append({"username": username, "password": password, "role": role, "region": region})
    return made


def _demo_must_change() -> bool:
    """DEMO_PASSWORD_CHANGE=1: the demo's generated passwords too must be changed at first sign-in."""
    import os
    return os.environ.get("DEMO_PASSWORD_CHANGE", "0") == "1"
