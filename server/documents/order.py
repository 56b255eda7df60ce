"""责令限期整改指令书: the plain context an issued order is printed from (pure)."""
from __future__ import annotations

from server.documents import wording
from server.documents.authorities import authority
from server.documents.formatting import clean, date_cn, display_number, grade_label
from server.documents.people import split_team, unit_party
from server.documents.signatures import inspector_places, signers, single_place
from server.documents.sources import OrderSources


def build(src: OrderSources, authorities: dict) -> dict:
    order, rec = src.order, src.inspection or {}
    inspectors, _experts = split_team(rec.get("team") or [rec.get("inspector")], [], src.people)
    number = display_number(order.get("number"))
    issuer = authority(src.issuer_region or order.get("region") or rec.get("region"), authorities)
    rows = items(order.get("items"), src.cases)
    return {
        "kind": "order", "title": "责令限期整改指令书", "number": number, "draft": number is None,
        "unit": unit_party(src.enterprise, rec.get("enterprise_name", ""), order.get("enterprise", "")),
        "found": found_sentence(rec, rec.get("number"), issuer["name"]),
        "problems": rows, "any_major": any(r["grade"] == "major" for r in rows),
        "basis": wording.ORDER_BASIS, "demand": wording.ORDER_DEMAND, "during": wording.ORDER_DURING,
        "major": wording.ORDER_MAJOR,
        "appeal": appeal_sentence(issuer), "authority": issuer,
        "inspectors": inspectors,
        "signers": signers(inspector_places(order.get("signatures"), inspectors, src.images),
                           [("被检查单位负责人", single_place(order.get("signatures"), "manager", src.images))]),
        "copies": wording.DUPLICATE_TO_UNIT, "date": date_cn(order.get("issued_at")),
    }


def found_sentence(rec: dict, record_number, issuer_name: str = "本机关") -> str:
    """Where the problems were found. The record's number goes before its title (…12号《现场检查记录》)
    so that the number's own parentheses are never nested inside another pair."""
    when = date_cn(rec.get("started_at"))
    ref = display_number(record_number)
    if not when:
        return "经查，你单位存在下列问题："
    if not ref:
        return f"经{when}现场检查，你单位存在下列问题："
    return f"{when}，{issuer_name}执法人员对你单位进行了现场检查，{ref}《现场检查记录》载明你单位存在下列问题："


def items(order_items, cases: dict[str, dict]) -> list[dict]:
    """Each problem with its own deadline (DOMAIN.md), in the order's order."""
    rows = []
    for n, item in enumerate((i for i in order_items or [] if isinstance(i, dict)), start=1):
        case = cases.get(item.get("case")) or {}
        rows.append({"no": n, "description": clean(item.get("description") or case.get("description"), 2000),
                     "location": clean(case.get("location"), 200), "grade": case.get("grade"),
                     "grade_label": grade_label(case.get("grade")), "deadline": date_cn(item.get("deadline")),
                     # counted into a year without the holiday notice: printed as 暂定 until recounted
                     "deadline_provisional": bool(item.get("deadline_provisional"))})
    return rows


def appeal_sentence(issuer: dict) -> str:
    """60 days to reconsideration, 6 months to court; an unknown body is left as a line to fill in."""
    blank = "＿＿＿＿＿＿"
    return wording.APPEAL.format(reconsideration=issuer["reconsideration"] or blank, court=issuer["court"] or blank)
