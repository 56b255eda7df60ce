"""Builders that write `registry` and `records` documents in exactly the shape of decision 0005.

They stand in for the real write path (worker filing, review approval, orders, re-inspections and
server/numbering.py) until it is merged; each builder is named after the step it stands for, so the
lead can swap one at a time. Phone fields are validated with the phone's own schemas (schemas/field.py)
unless a test asks for content only a damaged or imported database could hold (`validate=False`).
"""
from __future__ import annotations

import base64
import io
import random
import uuid
from dataclasses import dataclass

from PIL import Image, ImageDraw

from schemas.field import HazardDoc, InspectionDoc
from schemas.identifiers import make_uscc
from schemas.registry import EnterpriseSchema, InspectorSchema, SiteSchema
from server.db import database, registry
from server.numbering import format_number
from server.registry import store


@dataclass
class World:
    """An enterprise with its site, two certified inspectors, an expert, and a dispatched task."""
    enterprise: dict
    site: dict
    inspectors: list[dict]
    expert: dict
    task: dict


def signature_png(seed: int = 1, size=(360, 120)) -> bytes:
    """A pen-stroke PNG like the phone's signature pad makes (transparent, dark strokes)."""
    rng = random.Random(seed)
    picture = Image.new("RGBA", size, (255, 255, 255, 0))
    pen = ImageDraw.Draw(picture)
    points = [(20 + i * 20, 60 + rng.randint(-35, 35)) for i in range(16)]
    pen.line(points, fill=(10, 10, 60, 255), width=5, joint="curve")
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def register_world(app, region: str = "370102", seed: int = 7, names=("王建国", "李秀英"), **enterprise) -> World:
    """What the registers hold before an inspection (server/registry/store.py builds the documents)."""
    rng = random.Random(seed)
    uscc = make_uscc(region, rng)
    ent_data = EnterpriseSchema().load({
        "uscc": uscc, "name": "济南示例化工有限公司", "region": region, "industry": "危险化学品",
        "address": "济南市历下区经十路1000号", "legal_rep": "赵大明", "phone": "0531-88880000", **enterprise})
    ent = store.enterprise_doc(ent_data)
    site = store.site_doc(ent, 1, SiteSchema().load({"name": "主厂区", "address": "济南市历下区经十路1000号",
                                                     "lng": 117.05, "lat": 36.66}))
    people = [store.inspector_doc(InspectorSchema().load({
        "name": name, "cert_no": f"37010220{seed:02d}{i:04d}", "unit": "济南市历下区应急管理局", "region": region,
        "sectors": "危险化学品"})) for i, name in enumerate(names, start=1)]
    expert = store.inspector_doc(InspectorSchema().load({
        "kind": "专家", "name": "孙专家", "cert_no": f"ZJ3701{seed:04d}", "unit": "山东大学", "region": region[:4] + "00",
        "sectors": "危险化学品"}))
    task = {"_id": f"task:{uuid.uuid4().hex[:16]}:00001", "type": "task", "plan": "plan:" + "0" * 16, "year": 2026,
            "enterprise": uscc, "enterprise_name": ent["name"], "region": region, "site": site["_id"], "tier": "一般",
            "random": True, "counts_toward_cap": True, "inspectors": [p["_id"] for p in people],
            "experts": [expert["_id"]], "window": {"start": "2026-05-01", "end": "2026-05-31"},
            "checklist": "checklist:hazardous_chemicals_major:v1", "status": "done"}
    with app.app_context():
        registry().bulk_docs([ent, site, *people, expert, task])
    return World(ent, site, people, expert, task)


def phone_inspection(world: World, task: dict | None = None, **fields) -> dict:
    """An inspection as the phone finishes it (schemas/field.py InspectionDoc)."""
    task = task or world.task
    doc = {"_id": f"inspection:{uuid.uuid4()}", "type": "inspection", "task": task["_id"], "status": "finished",
           "checklist": task.get("checklist", "checklist:reinspection:v1"),
           "started_at": "2026-05-06T01:05:00Z", "finished_at": "2026-05-06T03:20:00Z",
           "checkin": {"qr": f"https://aqjc.example.gov.cn/s/{task['site']}", "scanned_at": "2026-05-06T01:03:00Z",
                       "position": {"lat": 36.66012, "lng": 117.05019, "accuracy_m": 12, "at": "2026-05-06T01:03:00Z"}},
           "place": "主厂区甲类仓库及装卸区", "purpose": "2026年度危险化学品企业双随机抽查",
           "manager": {"name": "钱经理", "role": "安全总监", "phone": "13805310000"},
           "witness": {"name": "周见证", "role": "员工代表", "phone": ""},
           "experts": [world.expert["_id"]], "answers": [], "signatures": []}
    doc.update(fields)
    return doc


def file_inspection(app, world: World, phone: dict, images: dict[str, bytes] | None = None,
                    review_status: str = "pending", validate: bool = True, task: dict | None = None) -> dict:
    """The worker's filing (sync/worker/steps.py + decision 0005): the phone's fields, the fields the
    worker adds, the task's fields denormalised, and the signature PNGs copied in byte for byte."""
    if validate:
        InspectionDoc().load({**phone, "_rev": "1-" + "a" * 32})
    task = task or world.task
    team = [world.inspectors[0]["_id"], world.inspectors[1]["_id"]]
    record = {**phone, "inspector": team[0], "plan": task["plan"],
              "source": {"db": "inspector_" + team[0].split(":")[1], "rev": "1-" + "a" * 32,
                         "received_at": "2026-05-06T03:30:00+00:00"},
              "checkin_verdict": {"qr": "ok", "site": "ok", "geofence": "ok", "distance_m": 2.1, "accuracy_m": 12,
                                  "radius_m": 300, "time": "ok", "overall": "ok", "override_reason": None},
              "review_status": review_status, "task_kind": task.get("kind", "random"), "region": task["region"],
              "enterprise": world.enterprise["uscc"], "enterprise_name": world.enterprise["name"],
              "site": world.site["_id"], "sector": world.enterprise["industry"], "team": team,
              "submitted_at": "2026-05-06T03:30:00+00:00", "site_position": {"lat": 36.66, "lng": 117.05}}
    if images:
        record["_attachments"] = {name: {"content_type": "image/png", "data": base64.b64encode(data).decode()}
                                  for name, data in images.items()}
    with app.app_context():
        database("records").put(record)
        return database("records").get(record["_id"])


def approve(app, inspection: dict, number: str | None, n: int = 1, by: str = "lixia.sup") -> dict:
    """A supervisor's approval (review:<inspection id>:<n>); the record number taken at approval is written
    on the review and on the inspection record, as server.review.service does."""
    review = {"_id": f"review:{inspection['_id']}:{n}", "type": "review", "inspection": inspection["_id"],
              "decision": "approved", "comments": "", "items": {}, "by": by, "by_name": "历下区审核人",
              "at": "2026-05-07T02:00:00+00:00", "team": inspection["team"]}
    if number is not None:
        review["number"] = number
    with app.app_context():
        database("records").put(review)
        inspection = database("records").get(inspection["_id"])
        inspection["review_status"] = "approved"
        if number is not None:
            inspection["number"] = number
        database("records").put(inspection)
    return review


def record_number(seq: int, short: str = "历下", year: int = 2026) -> str:
    """What server/numbering.py stores (decision 0005's format)."""
    return format_number("record", short, year, seq)


def file_hazard(app, inspection: dict, description: str, grade: str = "general", location: str = "",
                found_at: str = "2026-05-06T02:10:00Z", validate: bool = True, **fields) -> tuple[dict, dict]:
    """A hazard filed with its inspection, and the case (隐患闭环) created when it is filed."""
    phone = {"_id": f"hazard:{uuid.uuid4()}", "type": "hazard", "task": inspection["task"],
             "inspection": inspection["_id"], "description": description, "location": location, "grade": grade,
             "found_at": found_at, "photos": [], **fields}
    if validate:
        HazardDoc().load({**phone, "_rev": "1-" + "b" * 32})
    keys = ("inspector", "plan", "task_kind", "region", "enterprise", "enterprise_name", "site", "sector", "team")
    hazard = {**phone, **{k: inspection[k] for k in keys}, "source": inspection["source"]}
    case = {"_id": "case:" + phone["_id"].split(":", 1)[1], "type": "hazard_case", "hazard": phone["_id"],
            "inspection": inspection["_id"], "region": inspection["region"], "sector": inspection["sector"],
            "enterprise": inspection["enterprise"], "enterprise_name": inspection["enterprise_name"],
            "description": description, "location": location, "grade": grade, "found_at": found_at,
            "found_by": inspection["inspector"], "state": "found", "order": None, "deadline": None,
            "five_in_place": None, "supervised": False, "escalated_to": None, "rectification": None,
            "reinspections": [], "closed_at": None, "closed_by": None, "history": []}
    with app.app_context():
        database("records").bulk_docs([hazard, case])
        return database("records").get(hazard["_id"]), database("records").get(case["_id"])


def issue_order(app, inspection: dict, cases: list[tuple[dict, str]], number: str | None,
                issued_at: str = "2026-05-08T01:30:00+00:00", signatures=None, images=None) -> dict:
    """An issued 责令限期整改指令书 (order:<uuid>): each problem with its own deadline; its cases move to
    `ordered` (major hazards listed for supervision)."""
    order = {"_id": f"order:{uuid.uuid4()}", "type": "rectification_order", "number": number,
             "inspection": inspection["_id"], "enterprise": inspection["enterprise"], "region": inspection["region"],
             "items": [{"case": c["_id"], "hazard": c["hazard"], "description": c["description"], "deadline": d}
                       for c, d in cases],
             "issued_at": issued_at, "issued_by": "lixia.sup", "signatures": signatures or []}
    if images:
        order["_attachments"] = {n: {"content_type": "image/png", "data": base64.b64encode(b).decode()}
                                 for n, b in images.items()}
    with app.app_context():
        db = database("records")
        db.put(order)
        for case, deadline in cases:
            current = db.get(case["_id"])
            current.update(state="ordered", order=order["_id"], deadline=deadline,
                           supervised=current["grade"] == "major")
            current["history"].append({"from": "found", "to": "ordered", "at": issued_at, "by": "lixia.sup",
                                       "note": ""})
            db.put(current)
        return db.get(order["_id"])


def opinion_number(seq: int, short: str = "历下", year: int = 2026) -> str:
    return format_number("reinspection", short, year, seq)


def reinspect(app, world: World, order: dict, results: list[tuple[dict, str, str]], number: str | None,
              signatures=None, images=None, at: str = "2026-06-10T06:00:00+00:00") -> dict:
    """A re-inspection: the task in `registry` (kind reinspection, outside the cap), the phone's answer
    filed in `records` (checklist:reinspection:v1, one answer per hazard id), and each result recorded
    on its case with the opinion number taken then. Returns the re-inspection task."""
    with app.app_context():
        cases = [database("records").get(c["_id"]) for c, _, _ in results]
    task = {**world.task, "_id": f"task:{uuid.uuid4().hex[:16]}:00001", "plan": "plan:" + "1" * 16,
            "kind": "reinspection", "counts_toward_cap": False, "random": False, "checklist": "checklist:reinspection:v1",
            "window": {"start": "2026-06-10", "end": "2026-06-10"}, "experts": [], "status": "done",
            "hazards": [{"case": c["_id"], "hazard": c["hazard"], "description": c["description"],
                         "location": c["location"], "grade": c["grade"], "deadline": c["deadline"]} for c in cases]}
    with app.app_context():
        registry().put(task)
    phone = phone_inspection(world, task, started_at="2026-06-10T05:10:00Z", finished_at="2026-06-10T05:50:00Z",
                             purpose="整改复查", experts=[], witness=None, signatures=signatures or [],
                             answers=[{"item": c["hazard"], "value": r, "note": note, "photos": []}
                                      for c, (_, r, note) in zip(cases, results)])
    answer = file_inspection(app, world, phone, images=images, task=task)
    approve(app, answer, None)
    with app.app_context():
        db = database("records")
        for case, (_, result, _) in zip(cases, results):
            case["reinspections"].append({"task": task["_id"], "result": result, "at": at, "by": "lixia.sup",
                                          "opinion_number": number})
            case["state"] = "reinspected" if result == "pass" else "ordered"
            db.put(case)
    return task


def signed(name: str, signer: str, attachment: str, at: str = "2026-05-06T03:15:00Z") -> dict:
    return {"signer": signer, "name": name, "attachment": attachment, "refused": False, "refusal_note": "", "at": at}


def refused(name: str, signer: str, note: str, at: str = "2026-05-06T03:18:00Z") -> dict:
    return {"signer": signer, "name": name, "attachment": None, "refused": True, "refusal_note": note, "at": at}


@dataclass
class Showcase:
    world: World
    inspection: dict
    hazards: list[dict]
    cases: list[dict]
    order: dict
    reinspection_task: dict


CHECKED = [  # (item key of checklist:hazardous_chemicals_major:v1, value, note)
    ("hc-1", "yes", ""), ("hc-2", "no", "2名电工特种作业操作证已过期"), ("hc-3", "no", "甲类仓库与厂外居民楼间距不足"),
    ("hc-4", "na", "不涉及重点监管危险化工工艺"), ("hc-5", "yes", ""), ("hc-6", "yes", ""),
]


def showcase(app) -> Showcase:
    """The whole loop with fixed content: an approved record with signatures and the manager's refusal,
    two hazards (one major), an order with a deadline each, and a re-inspection (one passed, one not)."""
    world = register_world(app)
    a, b = world.inspectors
    phone = phone_inspection(world, answers=[{"item": k, "value": v, "note": n, "photos": []} for k, v, n in CHECKED],
                             signatures=[signed(a["name"], "inspector", "signature-inspector-1.png"),
                                         signed(b["name"], "inspector", "signature-inspector-2.png"),
                                         refused("钱经理", "manager", "称需请示公司总部后再签"),
                                         signed("周见证", "witness", "signature-witness.png")])
    images = {"signature-inspector-1.png": signature_png(1), "signature-inspector-2.png": signature_png(2),
              "signature-witness.png": signature_png(3)}
    inspection = file_inspection(app, world, phone, images=images)
    approve(app, inspection, record_number(12))
    h1, c1 = file_hazard(app, inspection, "2名特种作业人员（电工）特种作业操作证已过期，仍在岗作业。", "general", "配电室")
    h2, c2 = file_hazard(app, inspection, "甲类仓库与厂外居民楼防火间距不足国家标准规定值的75%。", "major", "甲类仓库",
                         found_at="2026-05-06T02:40:00Z")
    order = issue_order(app, inspection, [(c1, "2026-05-20"), (c2, "2026-06-05")], format_number("order", "历下", 2026, 3),
                        signatures=[signed(a["name"], "inspector", "signature-order-1.png", "2026-05-08T01:40:00Z"),
                                    signed("钱经理", "manager", "signature-order-m.png", "2026-05-08T01:45:00Z")],
                        images={"signature-order-1.png": signature_png(4), "signature-order-m.png": signature_png(5)})
    task = reinspect(app, world, order, [(c1, "pass", "证书已复审，人员持有效证件上岗"), (c2, "fail", "仓库搬迁方案已制定，尚未实施")],
                     opinion_number(5),
                     signatures=[signed(a["name"], "inspector", "signature-re-1.png", "2026-06-10T05:50:00Z"),
                                 signed(b["name"], "inspector", "signature-re-2.png", "2026-06-10T05:51:00Z"),
                                 signed("钱经理", "manager", "signature-re-m.png", "2026-06-10T05:52:00Z")],
                     images={"signature-re-1.png": signature_png(6), "signature-re-2.png": signature_png(7),
                             "signature-re-m.png": signature_png(8)})
    with app.app_context():
        cases = [database("records").get(c["_id"]) for c in (c1, c2)]
    return Showcase(world, inspection, [h1, h2], cases, order, task)
