"""Probe: review-queue and hazard-register queries over generated `records` (the design check of issue 6).

    python bench/review_queries.py --inspections 3000 --hazards 9000     last line: p95_ms=<n>

Writes filed inspections and hazard cases shaped as the worker and the loop leave them (denormalised
fields of docs/decisions/0005) straight into `records`, builds the console view once, then times the
API's queue and register requests with a mix of scopes, filters and cursor pages through the Flask app
(session, scope, query, JSON), each request repeated. The issue's own figure (100,000 / 300,000,
p95 ≤ 300 ms) is measured by bench/console.py; this probe checks the design at a few thousand.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COUNTIES = ["370102", "370103", "370104", "370105", "370112", "370113", "370114", "370124", "370202", "370203",
            "370211", "370302", "370303", "370602", "370612"]
SECTORS = ["hazardous_chemicals", "machinery", "light_industry", "building_materials", "commerce", "metallurgy"]
STATES = ["found"] * 2 + ["ordered"] * 3 + ["rectified", "reinspected"] + ["closed"] * 6 + ["void"]


def iso(rng: random.Random) -> str:
    return f"2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+00:00"


def inspections(n: int, rng: random.Random, plans: list[str]) -> list[dict]:
    docs = []
    for _ in range(n):
        region = rng.choice(COUNTIES)
        major = int(rng.random() < 0.08)
        docs.append({"_id": f"inspection:{uuid.UUID(int=rng.getrandbits(128), version=4)}", "type": "inspection",
                     "region": region, "sector": rng.choice(SECTORS), "plan": rng.choice(plans),
                     "review_status": rng.choice(["pending"] * 2 + ["approved"] * 6 + ["returned", "rejected"]),
                     "submitted_at": iso(rng), "enterprise_name": "济南某某机械制造有限公司", "inspector": "inspector:aaaaaaaaaaaa",
                     "task_kind": "random", "checkin_verdict": {"overall": "ok" if rng.random() < 0.9 else "warning"},
                     "hazards": {"general": rng.randrange(4), "major": major},
                     "answers": [{"item": f"gb-6-{k}", "value": "yes", "note": ""} for k in range(25)]})
    return docs


def cases(n: int, rng: random.Random) -> list[dict]:
    docs = []
    for _ in range(n):
        state = rng.choice(STATES)
        grade = "major" if rng.random() < 0.1 else "general"
        docs.append({"_id": f"case:{uuid.UUID(int=rng.getrandbits(128), version=4)}", "type": "hazard_case",
                     "region": rng.choice(COUNTIES), "sector": rng.choice(SECTORS), "grade": grade, "state": state,
                     "supervised": grade == "major" and state != "found", "found_at": iso(rng),
                     "deadline": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}" if state == "ordered" else None,
                     "escalated_to": "370100" if state == "ordered" and rng.random() < 0.2 else None,
                     "enterprise_name": "济南某某化工有限公司", "description": "安全出口被杂物堵塞，疏散通道宽度不足",
                     "location": "二号车间", "inspection": "inspection:x", "history": []})
    return docs


QUERIES = [
    ("370102", "/api/v1/inspections"), ("370100", "/api/v1/inspections"), ("370000", "/api/v1/inspections"),
    ("370100", "/api/v1/inspections?review_status=all&major=true"),
    ("370100", "/api/v1/inspections?review_status=approved&sector=machinery"),
    ("370000", "/api/v1/inspections?verdict=warning"), ("370100", "/api/v1/inspections?from=2026-03-01&to=2026-05-31"),
    ("370102", "/api/v1/hazards"), ("370100", "/api/v1/hazards?state=ordered"), ("370000", "/api/v1/hazards?overdue=true"),
    ("370100", "/api/v1/hazards?grade=major&supervised=true"), ("370100", "/api/v1/hazards?sector=metallurgy&state=closed"),
    ("370000", "/api/v1/hazards?escalated_to=370100"),
]


def measure(n_inspections: int, n_cases: int, rounds: int) -> dict:
    from server import create_app
    from server.accounts import store
    from server.cli import bootstrap_all
    from server.db import database, registry
    from server.listing import DDOC, VIEW
    from server.qr.signing import generate_key_spec
    from sync.couch import Couch
    from tests.integration.conftest import PASSWORD, Session
    rng = random.Random(6)
    with tempfile.TemporaryDirectory() as tmp:
        embedded, url = None, os.environ.get("COUCHDB_URL")
        if not url:
            from sync.embedded import EmbeddedCouch
            embedded = EmbeddedCouch(Path(tmp)).start()
            url = embedded.url
        app = create_app({"COUCHDB_URL": url, "DB_PREFIX": "rq" + uuid.uuid4().hex[:6] + "_", "SECRET_KEY": "b" * 40,
                          "QR_KEYS": generate_key_spec("k1"), "QR_ACTIVE_KEY": "k1", "LOGIN_RATE_LIMIT": "1000 per minute"})
        with app.app_context():
            bootstrap_all()
            plans = [f"plan:{rng.getrandbits(64):016x}" for _ in range(40)]
            docs = inspections(n_inspections, rng, plans) + cases(n_cases, rng)
            for start in range(0, len(docs), 1000):
                database("records").bulk_docs(docs[start:start + 1000])
            began = time.perf_counter()
            Couch(url, timeout=3600).db(database("records").name).view(DDOC, VIEW, limit=1)  # built once, up front
            build_s = time.perf_counter() - began
            for region in {r for r, _ in QUERIES}:
                store.create_user(registry(), {"username": f"sup{region}", "role": "supervisor", "region": region,
                                               "display_name": region, "password": PASSWORD})
        sessions = {region: Session(app, f"sup{region}") for region in {r for r, _ in QUERIES}}
        times: list[float] = []
        per_query: dict[str, list[float]] = {}
        for _round in range(rounds):
            for region, path in QUERIES:
                cursor = None
                for _page in range(2):   # the first page, then the next by its cursor
                    target = path + (("&" if "?" in path else "?") + f"cursor={cursor}" if cursor else "")
                    began = time.perf_counter()
                    res = sessions[region].get(target)
                    times.append(time.perf_counter() - began)
                    per_query.setdefault(f"{region} {target[:70]}", []).append(times[-1] * 1000)
                    assert res.status_code == 200, (target, res.get_json())
                    cursor = res.get_json()["next"]
                    if not cursor:
                        break
        if embedded:
            embedded.stop()
    times.sort()
    slowest = sorted(((statistics.median(v), k) for k, v in per_query.items()), reverse=True)[:5]
    return {"slowest": slowest, "requests": len(times), "build_s": build_s, "median_ms": statistics.median(times) * 1000,
            "p95_ms": times[int(len(times) * 0.95) - 1] * 1000, "max_ms": times[-1] * 1000}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inspections", type=int, default=3000)
    ap.add_argument("--hazards", type=int, default=9000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    result = measure(args.inspections, args.hazards, args.rounds)
    for median, query in result["slowest"]:
        print(f"  slowest (median {median:.0f} ms): {query}")
    print(f"{args.inspections} inspections, {args.hazards} cases: view built in {result['build_s']:.1f}s; "
          f"{result['requests']} requests, median {result['median_ms']:.1f} ms, max {result['max_ms']:.1f} ms")
    print(f"p95_ms={result['p95_ms']:.1f}")


if __name__ == "__main__":
    main()
