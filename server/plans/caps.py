"""Annual caps across plans (年度检查频次上限): approval re-checks every cap against all that is already
approved or dispatched in the plan's year, serialised by one ledger document per year.

A draw sees only tasks that exist when it runs, so two plans drawn before either is approved could both
visit an enterprise at its cap. Approval is the moment tasks come into being, so it checks again. Two
approvals racing would each count without the other; the ledger `capledger:<year>` makes them take
turns: each approval writes its claim with the revision it read, and CouchDB's 409 sends the loser back
to count again (now seeing the winner's claim).
"""
from __future__ import annotations

from collections import Counter

from i18n import t
from server.errors import ApiError
from server.plans.sampling import annual_cap
from server.registry.store import now_iso
from sync.couch import Conflict, Database

COUNTED = ("ready", "dispatched", "done", "published")
ATTEMPTS = 20


def ledger_id(year: int) -> str:
    return f"capledger:{year}"


def _claims(tasks: list[dict]) -> dict[str, int]:
    return dict(Counter(task["enterprise"] for task in tasks if task.get("counts_toward_cap", True)))


def counted_elsewhere(db: Database, plan_id: str, year: int, ledger: dict) -> Counter:
    """Checks per enterprise that count toward this year's caps, from every other plan.

    A draw with a claim in the ledger counts as claimed, less its tasks cancelled since (a claim is
    written before its tasks, so tasks still being written are never missed); tasks of draws without a
    claim (older data, demo tasks) count as they stand.
    """
    claims = ledger.get("claims", {})
    rows = db.find({"type": "task", "year": year}, limit=10_000_000,
                   fields=["plan", "draw", "enterprise", "status", "counts_toward_cap"])
    counts: Counter = Counter()
    for claim in claims.values():
        if claim["plan"] != plan_id:
            counts.update(claim["counts"])
    for row in rows:
        if row.get("plan") == plan_id or not row.get("counts_toward_cap", True):
            continue
        if row.get("draw") in claims:
            if row.get("status") == "cancelled":
                counts[row["enterprise"]] -= 1
        elif row.get("status") in COUNTED:
            counts[row["enterprise"]] += 1
    return counts


def _over(tasks: list[dict], enterprises: dict[str, dict], rules: dict, counts: Counter) -> list[str]:
    """A line per enterprise whose random check (or capped targeted one) this plan would take past its cap.

    A targeted check driven by an accident or a penalty counts toward the cap but is never refused by it."""
    capped = {t["enterprise"] for t in tasks if t.get("random") or rules["targeted"].get("apply_caps")}
    lines = []
    for uscc, mine in sorted(_claims(tasks).items()):
        if uscc not in capped:
            continue
        enterprise = enterprises.get(uscc, {"uscc": uscc, "industry": "", "std_level": None})
        cap, before = annual_cap(enterprise, rules["caps"]), max(counts.get(uscc, 0), 0)
        if before + mine > cap:
            lines.append(t("plan.cap_line", name=enterprise.get("name") or uscc, uscc=uscc, count=before, cap=cap))
    return lines


def claim(db: Database, plan: dict, draw_id: str, tasks: list[dict], enterprises: dict[str, dict]) -> None:
    """Refuse (409, naming the enterprises) if this plan's tasks break a cap; else record their claim."""
    year = int(plan["period"]["start"][:4])
    for _attempt in range(ATTEMPTS):
        ledger = db.get_or_none(ledger_id(year)) or {"_id": ledger_id(year), "type": "cap_ledger",
                                                      "year": year, "claims": {}}
        over = _over(tasks, enterprises, plan["rules"], counted_elsewhere(db, plan["_id"], year, ledger))
        if over:
            raise ApiError("conflict", message=t("plan.caps_exceeded", year=year, names="；".join(over[:10]),
                                                 more=max(len(over) - 10, 0)), errors={"caps": over})
        ledger["claims"] = {k: v for k, v in ledger["claims"].items() if v["plan"] != plan["_id"]}
        ledger["claims"][draw_id] = {"plan": plan["_id"], "counts": _claims(tasks), "at": now_iso()}
        try:
            db.put_once(ledger)
            return
        except Conflict:
            continue  # another approval of this year got in first: count again with its claim
    raise ApiError("conflict", message=t("plan.caps_busy"))


def release(db: Database, plan: dict) -> None:
    """Drop a plan's claim (its approval was withdrawn by a re-draw)."""
    year = int(plan["period"]["start"][:4])
    for _attempt in range(ATTEMPTS):
        ledger = db.get_or_none(ledger_id(year))
        if not ledger or not any(v["plan"] == plan["_id"] for v in ledger["claims"].values()):
            return
        ledger["claims"] = {k: v for k, v in ledger["claims"].items() if v["plan"] != plan["_id"]}
        try:
            db.put_once(ledger)
            return
        except Conflict:
            continue
