"""Builders for review and hazard tests: a task of a real plan, and inspections filed by the real worker.

A phone's documents are written into the inspector's database (draft inspection, hazards, photos, then
the finished inspection with its signature, as the field kit does) and the worker files them.
"""
from __future__ import annotations

import base64
import hashlib
import io
import random
import uuid

from PIL import Image, ImageDraw

from schemas.identifiers import make_uscc
from server.db import registry
from tests.integration.worker_fixtures import file_until, inspection, now, phone_db, records

TEAM = ["inspector:aaaaaaaaaaaa", "inspector:bbbbbbbbbbbb"]
OTHER = "inspector:cccccccccccc"
NAMES = ("张伟", "李娜", "王强")
DESCRIPTIONS = {"general": "二号车间东侧安全出口被杂物堵塞，疏散通道宽度不足", "major": "甲类仓库内使用非防爆电气设备"}
_rng = random.Random(20261201)


def png(width: int = 240, height: int = 90, noise: bool = False) -> bytes:
    """A signature: a few pen strokes on white (or noise, for a file that does not compress)."""
    out = io.BytesIO()
    if noise:
        image = Image.frombytes("L", (width, height), _rng.randbytes(width * height))
    else:
        image = Image.new("RGB", (width, height), (255, 255, 255))
        pen = ImageDraw.Draw(image)
        points = [(12 + i * (width - 24) / 24, height / 2 + (height / 3) * ((-1) ** i) * (0.4 + (i % 5) / 8))
                  for i in range(25)]
        pen.line(points, fill=(20, 20, 60), width=3, joint="curve")
    image.save(out, "PNG")
    return out.getvalue()


def jpeg(color=(200, 30, 30)) -> bytes:
    """A photo: a gradient from `color`, so that thumbnails look like pictures rather than blocks."""
    out = io.BytesIO()
    image = Image.linear_gradient("L").resize((640, 480))
    Image.merge("RGB", [image.point(lambda v, c=c: min(255, c // 2 + v // 2)) for c in color]).save(
        out, "JPEG", quality=80)
    return out.getvalue()


def world(app, region: str = "370102", sector: str = "machinery", random_task: bool = True,
          name: str = "济南华泰机械制造有限公司") -> dict:
    """An enterprise with its site, a dispatched plan with one task for TEAM, and three inspectors."""
    uscc = make_uscc(region, _rng)
    plan_id = f"plan:{uuid.uuid4().hex[:16]}"
    docs = [
        {"_id": f"enterprise:{uscc}", "type": "enterprise", "uscc": uscc, "name": name, "region": region,
         "industry": sector, "address": "济南市历下区经十路100号", "risk": "yellow", "std_level": "3", "active": True},
        {"_id": f"site:{uscc}:01", "type": "site", "enterprise": uscc, "name": "主厂区", "address": "经十路100号",
         "lng": 117.05, "lat": 36.66, "radius_m": 200, "region": region, "crs": "WGS84", "main": True},
        {"_id": plan_id, "type": "plan", "name": "2026年第四季度双随机抽查", "status": "dispatched", "author": "author",
         "approver": "approver", "author_region": region[:4] + "00", "period": {"start": "2026-01-01", "end": "2026-12-31"},
         "publication": {}, "rules": {"scope": {"regions": [region]}}, "draws": []},
    ]
    for n, person in enumerate(TEAM + [OTHER]):
        docs.append({"_id": person, "type": "inspector", "kind": "inspector", "name": NAMES[n],
                     "cert_no": f"37010000{n}", "unit": "历下区应急管理局", "region": region, "sectors": [sector],
                     "active": True, "avoid": []})
    task = {"_id": f"task:{plan_id[5:]}:00001", "type": "task", "plan": plan_id, "draw": None, "year": 2026,
            "enterprise": uscc, "enterprise_name": name, "region": region, "site": f"site:{uscc}:01",
            "tier": "其他", "random": random_task, "counts_toward_cap": True, "inspectors": TEAM, "experts": [],
            "window": {"start": "2026-01-01", "end": "2026-12-31"}, "checklist": "checklist:fire_major_gb35181:v1",
            "status": "dispatched"}
    with app.app_context():
        registry().bulk_docs(docs + [task])
    return {"uscc": uscc, "plan": plan_id, "task": task, "region": region, "sector": sector, "name": name}


def photo(task: dict, inspection_id: str, hazard_id: str | None = None, color=(200, 30, 30)) -> dict:
    data = jpeg(color)
    return {"_id": f"photo:{uuid.uuid4()}", "type": "photo", "task": task["_id"], "inspection": inspection_id,
            "hazard": hazard_id, "sha256": hashlib.sha256(data).hexdigest(), "taken_at": now(),
            "_attachments": {"photo.jpg": {"content_type": "image/jpeg", "data": base64.b64encode(data).decode()}}}


def hazard(task: dict, inspection_id: str, grade: str, description: str, **extra) -> dict:
    return {"_id": f"hazard:{uuid.uuid4()}", "type": "hazard", "task": task["_id"], "inspection": inspection_id,
            "item": "fire-6-5", "description": description, "location": "二号车间", "grade": grade,
            "found_at": now(), "photos": [], **extra}


def signed(doc: dict, data: bytes | None = None) -> dict:
    """The inspection with the inspector's signature as a PNG attachment."""
    name = "signature-inspector.png"
    doc["signatures"] = [{"signer": "inspector", "name": NAMES[0], "attachment": name, "at": now()},
                         {"signer": "manager", "name": "李经理", "refused": True, "refusal_note": "拒绝签字", "at": now()}]
    doc["_attachments"] = {name: {"content_type": "image/png", "data": base64.b64encode(data or png()).decode()}}
    return doc


def submit(app, w: dict, grades=("general", "major"), photos: bool = True, task: dict | None = None,
           member: str = TEAM[0], **extra) -> dict:
    """A finished inspection with hazards (one per grade), photos and a signature, filed by the worker."""
    task = task or w["task"]
    db = phone_db(app, member)
    doc = inspection(app, task, **extra)
    draft = {**doc, "status": "draft", "finished_at": None}
    db.put(draft)
    found = []
    for n, grade in enumerate(grades):
        h = hazard(task, doc["_id"], grade, DESCRIPTIONS[grade] + (f"（{n + 1}）" if n > 1 else ""))
        if photos:
            p = photo(task, doc["_id"], h["_id"])
            db.put(p)
            h["photos"] = [p["_id"]]
        db.put(h)
        found.append(h)
    doc = signed({**doc, "_rev": draft["_rev"]})
    db.put(doc)
    # filed whole: the finished revision (with its submission time) and every hazard counted
    file_until(app, lambda: records(app).get_or_none(doc["_id"]),
               lambda rec: bool(rec and rec.get("submitted_at")
                                and sum((rec.get("hazards") or {}).values()) >= len(grades)))
    return {"inspection": doc, "hazards": found, "key": doc["_id"].split(":", 1)[1], "db": db}


def record(app, doc_id: str) -> dict | None:
    return records(app).get_or_none(doc_id)
