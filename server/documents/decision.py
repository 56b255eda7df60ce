"""现场处理措施决定书: the plain context an issued on-site decision is printed from (pure)."""
from __future__ import annotations

from server.decisions.service import MEASURES
from server.documents import wording
from server.documents.authorities import authority
from server.documents.formatting import clean, date_cn, display_number, grade_label
from server.documents.people import split_team, unit_party
from server.documents.signatures import inspector_places, signers, single_place
from server.documents.sources import DecisionSources


def build(src: DecisionSources, authorities: dict) -> dict:
    dec, rec = src.decision, src.inspection or {}
    inspectors, _experts = split_team(rec.get("team") or [rec.get("inspector")], [], src.people)
    number = display_number(dec.get("number"))
    issuer = authority(src.issuer_region or dec.get("region") or rec.get("region"), authorities)
    chosen = [m for m in MEASURES if m in (dec.get("measures") or [])]
    law_items = "、".join(dict.fromkeys(MEASURES[m][1] for m in chosen)) or "（三）"
    blank = "＿＿＿＿＿＿"
    return {
        "kind": "decision", "title": "现场处理措施决定书", "number": number, "draft": number is None,
        "unit": unit_party(src.enterprise, dec.get("enterprise_name") or rec.get("enterprise_name", ""),
                           dec.get("enterprise", "")),
        "found": wording.DECISION_FOUND.format(issuer=issuer["name"],
                                               date=date_cn(rec.get("started_at")) or date_cn(dec.get("issued_at"))),
        "problems": items(dec.get("items")),
        "basis": wording.DECISION_BASIS.format(items=law_items),
        "measures": [MEASURES[m][0] for m in chosen], "note": clean(dec.get("note"), 500),
        "resume": wording.DECISION_RESUME if any(MEASURES[m][2] for m in chosen) else "",
        "appeal": wording.DECISION_APPEAL.format(reconsideration=issuer["reconsideration"] or blank,
                                                 court=issuer["court"] or blank),
        "authority": issuer, "inspectors": inspectors,
        "signers": signers(inspector_places(dec.get("signatures"), inspectors, src.images),
                           [("被检查单位负责人", single_place(dec.get("signatures"), "manager", src.images))]),
        "copies": wording.DUPLICATE_TO_UNIT, "date": date_cn(dec.get("issued_at")),
    }


def items(rows) -> list[dict]:
    out = []
    for n, item in enumerate((i for i in rows or [] if isinstance(i, dict)), start=1):
        out.append({"no": n, "description": clean(item.get("description"), 2000),
                    "location": clean(item.get("location"), 200), "grade_label": grade_label(item.get("grade"))})
    return out
