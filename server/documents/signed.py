"""Do a record's signatures match its content? And its corrections, in words (pure; docs/decisions/0013).

Each signature the phone captured carries the SHA-256 of the content it signed (schemas/signed_content.py).
The server recomputes the hash from the filed record and its hazards: a signature of other content is
`void` (never printed over the new content, flagged on the review page), one without a hash `unbound`
(an older record: printed, with a note that it cannot be checked).
"""
from __future__ import annotations

from schemas.signed_content import content_hash, signature_state
from server.documents.formatting import clean, datetime_cn

PART_LABELS = {"field": "记录信息", "answer": "检查项", "hazard": "隐患"}
FIELD_LABELS = {"task": "任务", "checklist": "检查表", "started_at": "开始时间", "checked_in_at": "扫码时间",
                "place": "检查场所", "purpose": "检查目的", "manager": "现场负责人", "witness": "见证人",
                "experts": "专家"}


def check(inspection: dict, hazards: list[dict], labels: dict[str, str] | None = None) -> dict:
    """{sha256, states (one per entry of `signatures`), void, unbound, corrections, chain_broken}."""
    digest = content_hash(inspection, hazards)
    signatures = inspection.get("signatures") if isinstance(inspection.get("signatures"), list) else []
    states = [signature_state(s, digest) for s in signatures]
    corrections = corrections_view(inspection.get("corrections"), labels or {})
    last = corrections[-1] if corrections else None
    return {"sha256": digest, "states": states, "void": states.count("void"), "unbound": states.count("unbound"),
            "corrections": corrections, "chain_broken": bool(last and last["to_sha256"] != digest)}


def corrections_view(entries, labels: dict[str, str]) -> list[dict]:
    """Each correction: when, the note, and each change named in words (an item by its text, when known)."""
    out = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        changes = []
        for change in entry.get("changes") if isinstance(entry.get("changes"), list) else []:
            if not isinstance(change, dict):
                continue
            part, key = change.get("part"), clean(change.get("key"), 300)
            name = FIELD_LABELS.get(key, key) if part == "field" else labels.get(key) or key
            changes.append({"part": PART_LABELS.get(part, ""), "what": clean(name, 300),
                            "before": clean(change.get("before"), 300), "after": clean(change.get("after"), 300)})
        out.append({"n": entry.get("n") if isinstance(entry.get("n"), int) else len(out) + 1,
                    "at": datetime_cn(entry.get("at")), "note": clean(entry.get("note"), 300),
                    "to_sha256": entry.get("to_sha256"), "changes": changes})
    return out


def item_labels(checklist: dict | None, hazards: list[dict]) -> dict[str, str]:
    """Words for the keys a change names: a checklist item's text, a hazard's description."""
    labels = {i.get("key"): clean(((i.get("text") or {}).get("zh")), 120)
              for i in (checklist or {}).get("items") or [] if isinstance(i, dict)}
    labels.update({h.get("_id"): "隐患：" + clean(h.get("description"), 100) for h in hazards if isinstance(h, dict)})
    return {k: v for k, v in labels.items() if isinstance(k, str) and v}
