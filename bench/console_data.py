"""Generated filed records of decision 0005's shape: inspections, hazards and hazard cases of the demo city.

    python bench/console_data.py --inspections 1000 --out records.jsonl     (or import it: `generate(...)`)

The spread follows the demo city (server/demo/generate.py): enterprises over Jinan's counties and sectors
with their shares, teams of two or three inspectors of the county or city bureau, inspections over the
previous and the current year up to `today` (fewer around the Spring Festival), three hazards per
inspection on average (exactly 3 N), 6 % of them major. Review states and the closed loop follow the
record's age: recent work is pending, old work approved and mostly closed, a share past its deadline
still waiting for rectification, rejected inspections' cases void. Signature PNGs, photos, orders and
reviews are left out: no statistic reads them.
"""
from __future__ import annotations

import random
import sys
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.console_loop import case_for  # noqa: E402
from schemas import sectors  # noqa: E402
from server.demo import generate as demo  # noqa: E402
from server.registry import store  # noqa: E402

SHANGHAI = timezone(timedelta(hours=8))
# Inspections per month (relative): few around the Spring Festival, campaigns in spring and autumn.
MONTH_WEIGHT = {1: 6, 2: 4, 3: 9, 4: 10, 5: 10, 6: 11, 7: 8, 8: 8, 9: 10, 10: 8, 11: 10, 12: 9}
TASK_KINDS = (("random", 70), ("targeted", 22), ("reinspection", 8))
CHECKLISTS = {"hazardous_chemicals": "hazardous_chemicals_major", "fireworks": "fire_major_gb35181",
              "commerce": "fire_major_gb35181"}
PROBLEMS = ("安全出口被堵塞", "消防设施未定期检测", "特种作业人员未持证上岗", "有限空间作业未审批",
            "粉尘清扫制度未落实", "危险化学品储存超量", "电气线路私拉乱接", "安全警示标志缺失",
            "应急预案未演练", "防护栏杆缺损", "可燃气体报警装置失效", "安全培训记录不全")
PLACES = ("一号车间", "仓库", "储罐区", "配电室", "办公楼", "装卸区", "锅炉房", "二号车间")


@dataclass
class World:
    """The enterprises and inspectors the records are about, and the day the data is generated for."""
    today: date
    enterprises: list[dict]
    inspectors: list[dict]
    by_region: dict = field(default_factory=dict)

    def pool(self, region: str) -> list[dict]:
        if region not in self.by_region:
            local = [p for p in self.inspectors if p["region"] == region]
            city = [p for p in self.inspectors if p["region"] == demo.CITY]
            self.by_region[region] = local if len(local) >= 3 else local + city
        return self.by_region[region]


def make_world(inspections: int, seed: int = 1, today: date | None = None) -> World:
    """About one enterprise per two inspections and one inspector per 300, as a city bureau might have."""
    rng = random.Random(seed)
    rows = demo.enterprise_rows(max(20, inspections // 2), seed=seed)
    enterprises = [{"uscc": r["统一社会信用代码"], "name": r["企业名称"], "region": r["行政区划代码"],
                    "sector": sectors.to_code(r["行业"]), "lat": float(r["纬度"]), "lng": float(r["经度"])}
                   for r in rows]
    counties = list(demo.COUNTIES)
    inspectors = []
    for i in range(max(len(counties) * 3 + 6, inspections // 300)):
        region = demo.CITY if i % 5 == 0 else counties[i % len(counties)]
        unit = demo.CITY_BUREAU if region == demo.CITY else demo._county_name(region) + "应急管理局"
        inspectors.append(store.inspector_doc({
            "kind": "inspector", "name": demo.person_name(rng), "cert_no": f"{region}{2015 + i % 10}{i:05d}",
            "unit": unit, "region": region, "sectors": sectors.codes()[:4], "mobile": demo.mobile(rng),
            "active": True, "avoid": []}))
    return World(today or date.today(), enterprises, inspectors)


def _moment(rng: random.Random, today: date) -> datetime:
    """A working-hours moment in the previous or current year, not after today."""
    while True:
        year = rng.choice((today.year - 1, today.year))
        month = rng.choices(list(MONTH_WEIGHT), list(MONTH_WEIGHT.values()))[0]
        day = date(year, month, rng.randint(1, 28))
        if day <= today:
            clock = time(rng.randint(8, 16), rng.randint(0, 59))
            return datetime.combine(day, clock, SHANGHAI)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _review_status(rng: random.Random, age_days: int) -> str:
    if age_days < 10:
        return rng.choices(("pending", "approved", "returned"), (70, 25, 5))[0]
    return rng.choices(("approved", "pending", "returned", "rejected"), (88, 4, 5, 3))[0]


def inspection(rng: random.Random, world: World) -> dict:
    """One filed inspection record with the worker's fields and the task's denormalised ones."""
    firm = rng.choice(world.enterprises)
    pool = world.pool(firm["region"])
    team = [p["_id"] for p in rng.sample(pool, 3 if rng.random() < 0.15 else 2)]
    finished = _moment(rng, world.today)
    started = finished - timedelta(minutes=rng.randint(40, 180))
    draft = rng.random() < 0.03
    uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    task = f"task:{rng.getrandbits(64):016x}:{rng.randint(1, 99999):05d}"
    checklist = CHECKLISTS.get(firm["sector"], "industry_trade_major")
    site = f"site:{firm['uscc']}:01"
    return {
        "_id": f"inspection:{uid}", "type": "inspection", "task": task, "status": "draft" if draft else "finished",
        "checklist": f"checklist:{checklist}:v1", "started_at": iso(started),
        "finished_at": None if draft else iso(finished),
        "checkin": {"qr": f"https://aqjc.example.gov.cn/s/{site}?k=k1&sig=bench", "scanned_at": iso(started),
                    "position": {"lat": firm["lat"], "lng": firm["lng"], "accuracy_m": 12.0, "crs": "WGS84",
                                 "at": iso(started)}, "override_reason": None},
        "place": rng.choice(PLACES), "purpose": "双随机抽查", "manager": {"name": demo.person_name(rng),
                                                                    "role": "安全主管", "phone": demo.mobile(rng)},
        "witness": None, "experts": [], "corrects": None,
        "answers": [{"item": f"it-{i}", "value": "yes", "note": "", "photos": []} for i in range(1, 9)],
        "signatures": [{"signer": "inspector", "name": "执法人员", "attachment": "signature-inspector.png",
                        "refused": False, "refusal_note": "", "at": iso(finished)}],
        "inspector": team[0], "plan": f"plan:{task[5:21]}",
        "source": {"db": "inspector_" + team[0][10:], "rev": "1-" + uid.replace("-", ""), "received_at": iso(finished)},
        "checkin_verdict": {"qr": "ok", "site": "ok", "geofence": "ok", "distance_m": 20.0, "accuracy_m": 12.0,
                            "radius_m": 300, "time": "ok", "overall": "ok", "override_reason": None},
        "review_status": "draft" if draft else _review_status(rng, (world.today - finished.date()).days),
        "task_kind": rng.choices(*zip(*TASK_KINDS))[0], "region": firm["region"], "enterprise": firm["uscc"],
        "enterprise_name": firm["name"], "site": site, "sector": firm["sector"], "team": team,
        "submitted_at": None if draft else iso(finished + timedelta(hours=rng.randint(1, 30))),
        "site_position": {"lat": firm["lat"], "lng": firm["lng"]},
    }


DENORMALISED = ("task_kind", "region", "enterprise", "enterprise_name", "site", "sector", "team", "submitted_at",
                "site_position", "inspector", "plan", "task")


def hazard(rng: random.Random, record: dict) -> dict:
    """A hazard found during `record`, with the same denormalised fields as its inspection."""
    found = datetime.fromisoformat(record["finished_at"]) - timedelta(minutes=rng.randint(5, 30))
    uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    doc = {"_id": f"hazard:{uid}", "type": "hazard", "inspection": record["_id"], "item": f"it-{rng.randint(1, 79)}",
           "description": rng.choice(PROBLEMS), "location": record["place"],
           "grade": "major" if rng.random() < 0.06 else "general",
           "proposed_deadline": (found.date() + timedelta(days=rng.choice((7, 15, 30)))).isoformat(),
           "found_at": iso(found), "position": record["checkin"]["position"], "photos": [],
           "source": {**record["source"], "rev": "1-" + uid.replace("-", "")}}
    doc.update({k: record[k] for k in DENORMALISED})
    return doc


def generate(inspections: int, seed: int = 1, today: date | None = None, world: World | None = None):
    """Yield (inspection, [(hazard, case), …]) for `inspections` records with exactly 3 × as many hazards."""
    rng = random.Random(seed)
    world = world or make_world(inspections, seed, today)
    records = [inspection(rng, world) for _ in range(inspections)]
    finished = [i for i, r in enumerate(records) if r["status"] == "finished"]
    counts = [0] * inspections
    for _ in range(3 * inspections if finished else 0):
        counts[rng.choice(finished)] += 1
    for record, count in zip(records, counts):
        found = []
        for _ in range(count):
            one = hazard(rng, record)
            found.append((one, case_for(rng, one, record, world.today)))
        yield record, found


def batches(inspections: int, size: int = 1000, **options):
    """The documents in lists of about `size`, an inspection followed by its hazards and cases."""
    batch: list[dict] = []
    for record, found in generate(inspections, **options):
        batch.append(record)
        for one, case in found:
            batch += [one, case]
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def main() -> None:
    import argparse
    import json
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inspections", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-")
    args = ap.parse_args()
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    for batch in batches(args.inspections, seed=args.seed):
        for doc in batch:
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
