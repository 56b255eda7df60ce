"""The source documents each kind is rendered from, and how they are read from `records` and `registry`."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from server.documents import issuer
from sync.couch import Database

log = logging.getLogger(__name__)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_IMAGE_STUB_BYTES = 512 * 1024  # a signature larger than this is not downloaded (see signatures.py)


@dataclass
class RecordSources:
    """现场检查记录: the filed inspection and what it names."""
    inspection: dict
    enterprise: dict | None = None
    site: dict | None = None
    people: dict[str, dict] = field(default_factory=dict)   # inspector/expert id → registry document
    checklist: dict | None = None
    hazards: list[dict] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)   # signature attachments by name
    issuer_region: str | None = None                         # the case's issuing bureau (issuer.py)


@dataclass
class OrderSources:
    """责令限期整改指令书: the order, its inspection, and the cases it lists."""
    order: dict
    inspection: dict | None = None
    enterprise: dict | None = None
    people: dict[str, dict] = field(default_factory=dict)
    cases: dict[str, dict] = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)
    issuer_region: str | None = None


@dataclass
class OpinionSources:
    """整改复查意见书: one re-inspection (the n-th of a case) and every case it answered with the same number."""
    case: dict
    n: int
    order: dict
    cases: list[dict] = field(default_factory=list)          # the cases this opinion covers, case first
    task: dict | None = None
    reinspection: dict | None = None                         # the phone's inspection answering the task
    enterprise: dict | None = None
    people: dict[str, dict] = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)
    issuer_region: str | None = None


@dataclass
class DecisionSources:
    """现场处理措施决定书: the decision and the inspection it was made in."""
    decision: dict
    inspection: dict | None = None
    enterprise: dict | None = None
    people: dict[str, dict] = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)
    issuer_region: str | None = None


def signature_images(db: Database, doc: dict) -> dict[str, bytes]:
    """The attachments its signatures name, each fetched only if its stub says it is small enough."""
    stubs = doc.get("_attachments") or {}
    wanted = {s.get("attachment") for s in doc.get("signatures") or [] if isinstance(s, dict)}
    images = {}
    for name in sorted(n for n in wanted if isinstance(n, str) and n in stubs):
        if (stubs[name].get("length") or 0) > MAX_IMAGE_STUB_BYTES:
            log.warning("signature %s of %s is %s bytes: not shown", name, doc["_id"], stubs[name].get("length"))
            continue
        images[name] = db.get_attachment(doc["_id"], name)
    return images


def people_of(registry: Database, ids) -> dict[str, dict]:
    wanted = sorted({i for i in ids if isinstance(i, str) and i.startswith("inspector:")})
    return registry.docs_by_id(wanted) if wanted else {}


def enterprise_of(registry: Database, uscc) -> dict | None:
    return registry.get_or_none(f"enterprise:{uscc}") if isinstance(uscc, str) and 0 < len(uscc) <= 18 else None


def typed(db: Database, doc_id: str, doc_type: str) -> dict | None:
    doc = db.get_or_none(doc_id)
    return doc if doc and doc.get("type") == doc_type else None


def load_record(records: Database, registry: Database, uuid: str) -> RecordSources | None:
    inspection = typed(records, f"inspection:{uuid}", "inspection")
    if inspection is None:
        return None
    ids = list(inspection.get("team") or []) + list(inspection.get("experts") or []) + [inspection.get("inspector")]
    checklist_id = inspection.get("checklist")
    return RecordSources(
        inspection=inspection, enterprise=enterprise_of(registry, inspection.get("enterprise")),
        site=typed(registry, inspection["site"], "site") if isinstance(inspection.get("site"), str) else None,
        people=people_of(registry, ids),
        checklist=typed(registry, checklist_id, "checklist") if isinstance(checklist_id, str) else None,
        hazards=records.find({"type": "hazard", "inspection": inspection["_id"]}, limit=500),
        images=signature_images(records, inspection),
        issuer_region=issuer.for_inspection(records, registry, inspection))


class Refused(Exception):
    """The document cannot exist (yet): `code` is an error code of server/errors.py; `region` is the
    source's, so that the caller checks scope before saying why (a refusal must not leak existence)."""

    def __init__(self, code: str, region):
        super().__init__(code)
        self.code, self.region = code, region


def load_order(records: Database, registry: Database, uuid: str) -> OrderSources | None:
    order = typed(records, f"order:{uuid}", "rectification_order")
    if order is None:
        return None
    inspection = typed(records, order["inspection"], "inspection") if isinstance(order.get("inspection"), str) else None
    case_ids = [i.get("case") for i in order.get("items") or [] if isinstance(i, dict)]
    team = list((inspection or {}).get("team") or [])
    return OrderSources(
        order=order, inspection=inspection, enterprise=enterprise_of(registry, order.get("enterprise")),
        people=people_of(registry, team), cases=records.docs_by_id(sorted({c for c in case_ids if isinstance(c, str)})),
        images=signature_images(records, order), issuer_region=issuer.for_order(records, registry, order))


def load_decision(records: Database, registry: Database, uuid: str) -> DecisionSources | None:
    decision = typed(records, f"decision:{uuid}", "onsite_decision")
    if decision is None:
        return None
    inspection = typed(records, decision["inspection"], "inspection") if isinstance(decision.get("inspection"), str) else None
    stored = decision.get("issuer_region")
    return DecisionSources(
        decision=decision, inspection=inspection, enterprise=enterprise_of(registry, decision.get("enterprise")),
        people=people_of(registry, list((inspection or {}).get("team") or [])),
        images=signature_images(records, decision),
        issuer_region=stored if isinstance(stored, str) else issuer.for_order(records, registry, decision))


def load_opinion(records: Database, registry: Database, uuid: str, n: int | None) -> OpinionSources | None:
    """None when the case or its n-th re-inspection does not exist; Refused when the case has no order
    (a re-inspection opinion only follows an order, DOMAIN.md) or has not been re-inspected yet."""
    case = typed(records, f"case:{uuid}", "hazard_case")
    if case is None:
        return None
    order = typed(records, case["order"], "rectification_order") if isinstance(case.get("order"), str) else None
    if order is None:
        raise Refused("opinion_without_order", case.get("region"))
    done = [r for r in case.get("reinspections") or [] if isinstance(r, dict)]
    if not done:
        raise Refused("opinion_without_reinspection", case.get("region"))
    n = len(done) if n is None else n
    if not 1 <= n <= len(done):
        return None
    entry = done[n - 1]
    task = typed(registry, entry["task"], "task") if isinstance(entry.get("task"), str) else None
    answer = reinspection_record(records, entry.get("task"))
    return OpinionSources(
        case=case, n=n, order=order, cases=covered_cases(records, case, entry, task), task=task,
        reinspection=answer, enterprise=enterprise_of(registry, case.get("enterprise")),
        people=people_of(registry, list((task or {}).get("inspectors") or []) + list((answer or {}).get("team") or [])),
        images=signature_images(records, answer) if answer else {},
        issuer_region=issuer.for_order(records, registry, order) or issuer.for_case(records, registry, case))


def covered_cases(records: Database, case: dict, entry: dict, task: dict | None) -> list[dict]:
    """This case and the other cases of the same re-inspection task that carry the same opinion number:
    one opinion answers every hazard re-inspected together, whatever way the numbers were taken."""
    others = [h.get("case") for h in (task or {}).get("hazards") or [] if isinstance(h, dict)]
    found = records.docs_by_id(sorted({c for c in others if isinstance(c, str) and c != case["_id"]}))
    covered = [case]
    for other in sorted(found.values(), key=lambda d: others.index(d["_id"])):
        match = [r for r in other.get("reinspections") or [] if isinstance(r, dict) and r.get("task") == entry.get("task")]
        if other.get("type") == "hazard_case" and match and match[-1].get("opinion_number") == entry.get("opinion_number"):
            covered.append(other)
    return covered


def reinspection_record(records: Database, task_id) -> dict | None:
    """The inspection the phone filed for a re-inspection task: the approved one, else the latest filed."""
    if not isinstance(task_id, str):
        return None
    found = records.find({"type": "inspection", "task": task_id}, limit=50)
    found.sort(key=lambda d: (d.get("review_status") == "approved", d.get("submitted_at") or ""))
    return found[-1] if found else None
