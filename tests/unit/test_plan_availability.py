"""Availability and certificates in the pure draw: snapshot flags keep people out, capacity is never
exceeded, and snapshots without the new fields draw exactly as before (old records still verify)."""
from collections import Counter
from datetime import date

from server.plans import availability, certificates
from server.plans.draw import draw, verify

SEED = bytes(range(32))
RULES = {"scope": {"regions": ["370100"]}, "tiers": [{"name": "全部", "proportion": 1.0}],
         "team": {"inspectors": 2, "require_qualification": False}}


def pools(n_firms=6, n_people=6):
    firms = [{"uscc": f"91370100MA{i:08d}", "region": "370102", "industry": "机械"} for i in range(n_firms)]
    people = [{"_id": f"inspector:{i:012x}", "region": "370112", "sectors": ["机械"]} for i in range(n_people)]
    return {"enterprises": firms, "inspectors": people, "history": []}


def test_flags_keep_people_out_with_their_reason():
    p = pools()
    p["inspectors"][0]["cert_expired"] = True
    p["inspectors"][1]["unavailable"] = "on_leave"
    p["inspectors"][2]["unavailable"] = "workload_full"
    result = draw(p, RULES, SEED)
    used = {i for t in result.tasks for i in t["inspectors"]}
    assert not used & {p["inspectors"][k]["_id"] for k in range(3)}
    reasons = {e["inspector"]: e["reason"] for e in result.exclusions if e["enterprise"] is None}
    assert [reasons[p["inspectors"][k]["_id"]] for k in range(3)] == ["certificate_expired", "on_leave", "workload_full"]
    assert verify(result.record, p, RULES)[0]


def test_capacity_is_never_exceeded_and_absent_fields_change_nothing():
    plain = draw(pools(), RULES, SEED)
    p = pools()
    for person in p["inspectors"]:
        person["capacity"] = 2
    capped = draw(p, RULES, SEED)
    load = Counter(i for t in capped.tasks for i in t["inspectors"])
    assert max(load.values()) <= 2 and sum(load.values()) == 12
    assert draw(pools(), RULES, SEED).record == plain.record       # unchanged without the new fields


def test_mark_computes_capacity_from_leave_and_booked_tasks():
    plan = {"period": {"start": "2026-10-01", "end": "2026-10-30"}}
    people = [{"_id": "a", "leave": [{"start": "2026-09-20", "end": "2026-11-05"}]},
              {"_id": "b", "leave": [{"start": "2026-10-01", "end": "2026-10-15"}]},
              {"_id": "c"}, {"_id": "d"}]
    from flask import Flask
    app = Flask("t")
    app.config["WORKLOAD_MAX_TASKS_PER_MONTH"] = 4
    with app.app_context():
        availability.mark(people, plan, Counter({"d": 4, "c": 1}))
    assert people[0]["unavailable"] == "on_leave"
    assert people[1]["capacity"] == 2                # half the period free: half the cap
    assert people[2]["capacity"] == 3 and people[3]["unavailable"] == "workload_full"
    assert all("leave" not in p for p in people)


def test_certificate_states():
    today = date(2026, 12, 2)
    assert certificates.state({"cert_expires": "2026-12-01"}, today)["status"] == "expired"
    assert certificates.state({"cert_expires": "2026-12-02"}, today)["status"] == "expiring"
    assert certificates.state({"cert_expires": "2027-01-01"}, today)["status"] == "expiring"
    assert certificates.state({"cert_expires": "2027-01-02"}, today)["status"] == "valid"
    assert certificates.state({}, today)["status"] == "unknown"
    assert not certificates.expired({"cert_expires": "2026-12-02"}, today)
    assert availability.on_leave({"leave": [{"start": "2026-12-01", "end": "2026-12-03"}]}, date(2026, 12, 3),
                                 date(2026, 12, 9))
