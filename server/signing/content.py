"""What a console signature signs, and how captured entries join the document they sign.

The signed content of each kind is what its text states (docs/decisions/0013): the number, the problems
with their deadlines (order), measures and note (decision), results (opinion) and the issue date. An
entry whose hash is not that of the document as it now reads is `void`: printed as void, never as signed.
"""
from __future__ import annotations

from dataclasses import replace

from server.documents.sources import load_decision, load_opinion, load_order
from server.signing.store import document_hash, entries_of, signing_id
from sync.couch import Database

TITLES = {"order": "责令限期整改指令书", "opinion": "整改复查意见书", "decision": "现场处理措施决定书"}


def load(kind: str, records: Database, registry: Database, uuid: str, n: int | None):
    """(sources, source document, its region) of a signable document, or None when it does not exist.
    Raises sources.Refused like the documents do (an opinion without an order or re-inspection)."""
    if kind == "order":
        src = load_order(records, registry, uuid)
        return src and (src, src.order, src.order.get("region"))
    if kind == "decision":
        src = load_decision(records, registry, uuid)
        return src and (src, src.decision, src.decision.get("region"))
    src = load_opinion(records, registry, uuid, n)
    return src and (src, src.case, src.case.get("region"))


def content(kind: str, src) -> dict:
    if kind == "order":
        o = src.order
        return {"kind": kind, "number": o.get("number"), "inspection": o.get("inspection"), "issued_at": o.get("issued_at"),
                "items": [[i.get("case"), i.get("description"), i.get("deadline")] for i in o.get("items") or []
                          if isinstance(i, dict)]}
    if kind == "decision":
        d = src.decision
        return {"kind": kind, "number": d.get("number"), "inspection": d.get("inspection"), "issued_at": d.get("issued_at"),
                "items": [[i.get("case"), i.get("description")] for i in d.get("items") or [] if isinstance(i, dict)],
                "measures": d.get("measures"), "note": d.get("note")}
    entry = done(src.case)[src.n - 1]
    results = [[c["_id"], next((r.get("result") for r in reversed(c.get("reinspections") or [])
                                if isinstance(r, dict) and r.get("task") == entry.get("task")), None)] for c in src.cases]
    return {"kind": kind, "case": src.case["_id"], "n": src.n, "number": entry.get("opinion_number"),
            "order": src.order.get("number"), "at": entry.get("at"), "results": results}


def done(case: dict) -> list[dict]:
    """A case's recorded re-inspections, counted as the documents count them (sources.load_opinion)."""
    return [r for r in case.get("reinspections") or [] if isinstance(r, dict)]


def sign_id(kind: str, uuid: str, src) -> str:
    return signing_id(kind, uuid, src.n if kind == "opinion" else None)


def with_console_signatures(kind: str, src, uuid: str, records: Database):
    """The sources with the entries captured on screen added after the document's own signatures, each
    marked void when it signed other content; the images joined to the document's."""
    entries, images, _doc = entries_of(records, sign_id(kind, uuid, src))
    if not entries:
        return src
    digest = document_hash(content(kind, src))
    marked = [{**e, "_state": "current" if e.get("content_sha256") == digest else "void"} for e in entries]
    merged_images = {**src.images, **images}
    if kind == "order":
        return replace(src, order={**src.order, "signatures": [*(src.order.get("signatures") or []), *marked]},
                       images=merged_images)
    if kind == "decision":
        return replace(src, decision={**src.decision, "signatures": [*(src.decision.get("signatures") or []), *marked]},
                       images=merged_images)
    answer = src.reinspection or {}
    return replace(src, reinspection={**answer, "signatures": [*(answer.get("signatures") or []), *marked]},
                   images=merged_images)
