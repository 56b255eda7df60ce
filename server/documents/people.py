"""The parties of a document as printed: inspectors with unit and certificate, experts, the unit inspected."""
from __future__ import annotations

from server.documents.formatting import clean


def person(doc: dict | None, fallback_id: str = "") -> dict:
    """An inspector or expert from the register; an id missing from it is shown as that id, not dropped."""
    if not isinstance(doc, dict):
        return {"id": fallback_id, "name": clean(fallback_id, 50), "unit": "", "cert_no": "", "kind": ""}
    return {"id": doc.get("_id", fallback_id), "name": clean(doc.get("name"), 50), "unit": clean(doc.get("unit"), 100),
            "cert_no": clean(doc.get("cert_no"), 40), "kind": doc.get("kind") or "inspector"}


def split_team(team_ids, expert_ids, people: dict[str, dict]) -> tuple[list[dict], list[dict]]:
    """(inspectors, experts): team members the register calls experts count as experts (they add to,
    never replace, the certified inspectors: 行政处罚法 第四十二条)."""
    inspectors, experts, seen = [], [], set()
    for pid in list(team_ids or []) + list(expert_ids or []):
        if not isinstance(pid, str) or pid in seen:
            continue
        seen.add(pid)
        entry = person(people.get(pid), pid)
        is_expert = entry["kind"] == "expert" or (pid in (expert_ids or []) and pid not in (team_ids or []))
        (experts if is_expert else inspectors).append(entry)
    return inspectors, experts


def joined(values, sep: str = "、") -> str:
    out = []
    for value in values:
        if value and value not in out:
            out.append(value)
    return sep.join(out)


def unit_party(enterprise: dict | None, fallback_name: str = "", fallback_uscc: str = "") -> dict:
    """被检查单位 as the register holds it (name, 统一社会信用代码, address, legal representative, phone)."""
    doc = enterprise if isinstance(enterprise, dict) else {}
    return {"name": clean(doc.get("name") or fallback_name, 100), "uscc": clean(doc.get("uscc") or fallback_uscc, 18),
            "address": clean(doc.get("address"), 200), "legal_rep": clean(doc.get("legal_rep"), 50),
            "phone": clean(doc.get("phone"), 30)}


def contact(value) -> dict | None:
    """The on-site manager or the witness as the phone recorded them."""
    if not isinstance(value, dict) or not clean(value.get("name")):
        return None
    return {"name": clean(value.get("name"), 50), "role": clean(value.get("role"), 50),
            "phone": clean(value.get("phone"), 30)}
