"""The closed loop (隐患闭环) of one generated hazard: its `case:` document as decision 0005 describes it.

How far a case has come depends on its inspection's review and the hazard's age: rejected inspections
make void cases; unreviewed work stays `found`; approved work is ordered with a deadline, and the older
it is the likelier it was rectified, re-inspected and closed. A share stays `ordered` past its deadline
(overdue, escalated one level up); major hazards are listed for supervision (挂牌督办) once ordered.
"""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

# (closed, reinspected, rectified, ordered) by age in days: what share of approved cases reached each state.
PROGRESS = ((120, (86, 2, 4, 8)), (60, (70, 4, 10, 16)), (30, (45, 5, 20, 30)), (0, (8, 4, 18, 70)))
STEPS = ("found", "ordered", "rectified", "reinspected", "closed")


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _state(rng: random.Random, review_status: str, age_days: int) -> str:
    if review_status == "rejected":
        return "void"
    if review_status != "approved":
        return "found"
    shares = next(weights for floor, weights in PROGRESS if age_days >= floor)
    return rng.choices(("closed", "reinspected", "rectified", "ordered"), shares)[0]


def _escalated_to(region: str) -> str:
    """The region of the supervisor one level up: a county's city, a city's province."""
    return region[:4] + "00" if not region.endswith("00") else region[:2] + "0000"


def _history(rng: random.Random, state: str, found: datetime, by: str, today: date) -> tuple[list, dict]:
    """Transitions up to `state`, each a few days after the one before, never after today."""
    if state == "void":
        return [{"from": "found", "to": "void", "at": found.isoformat(), "by": "bench.sup",
                 "note": "检查记录被驳回，隐患作废"}], {}
    history, times, moment = [], {}, found
    last = datetime.combine(today, found.timetz())
    for before, after in zip(STEPS, STEPS[1:STEPS.index(state) + 1]):
        moment = min(moment + timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 6)), last)
        history.append({"from": before, "to": after, "at": moment.isoformat(timespec="seconds"),
                        "by": by if after == "rectified" else "bench.sup", "note": ""})
        times[after] = moment
    return history, times


def case_for(rng: random.Random, hazard: dict, record: dict, today: date) -> dict:
    """The `case:<hazard uuid>` document of a generated hazard."""
    found = datetime.fromisoformat(hazard["found_at"])
    state = _state(rng, record["review_status"], (today - found.date()).days)
    history, times = _history(rng, state, found, record["inspector"], today)
    ordered = "ordered" in times or state in STEPS[1:]
    deadline = (found.date() + timedelta(days=rng.choice((7, 10, 15, 20, 30)))) if ordered else None
    major = hazard["grade"] == "major"
    doc = {"_id": "case:" + hazard["_id"].split(":", 1)[1], "type": "hazard_case", "hazard": hazard["_id"],
           "inspection": record["_id"], "region": record["region"], "sector": record["sector"],
           "enterprise": record["enterprise"], "enterprise_name": record["enterprise_name"],
           "description": hazard["description"], "location": hazard["location"], "grade": hazard["grade"],
           "found_at": hazard["found_at"], "found_by": record["inspector"], "state": state,
           "order": f"order:{_uid(rng)}" if ordered else None, "deadline": deadline.isoformat() if deadline else None,
           "five_in_place": None, "supervised": major and ordered, "escalated_to": None, "rectification": None,
           "reinspections": [], "closed_at": None, "closed_by": None, "history": history}
    if major and ordered:
        doc["five_in_place"] = {"measures": "停产整改，更换设备", "responsible": "企业负责人", "funds": "50万元",
                                "deadline": deadline.isoformat(), "contingency": "制定专项应急预案"}
    if state == "ordered" and deadline < today:
        doc["escalated_to"] = _escalated_to(record["region"])
    if "rectified" in times:
        doc["rectification"] = {"text": "已按要求整改完毕", "photos": [], "at": times["rectified"].isoformat()}
    if "reinspected" in times:
        doc["reinspections"] = [{"task": f"task:{rng.getrandbits(64):016x}:{rng.randint(1, 99999):05d}",
                                 "result": "pass", "at": times["reinspected"].isoformat(), "by": record["inspector"],
                                 "opinion_number": f"(济南)应急复查〔{found.year}〕{rng.randint(1, 999)}号"}]
    if state == "closed":
        doc.update(closed_at=times["closed"].isoformat(), closed_by="bench.sup")
    return doc
