"""The checks of a 现场检查记录 in the template's order, and the short print (pure).

Answers are stored in the order they were given; a record must read in the order of the checklist
(第七条第（一）项 before 安全生产法第八十一条), on the review page, in the PDF and in exports. The short print
gives failed items (and written records) in full and one line for the rest; `?full=1` prints every item.
"""
from __future__ import annotations

from schemas.violation import found_text


def in_template_order(answers, checklist: dict | None) -> list[tuple[dict | None, dict]]:
    """(item, answer) pairs: the template's items that were answered, in its order, then any answer
    whose item the template does not know (kept, never dropped), in the order given."""
    given = [a for a in answers or [] if isinstance(a, dict)]
    by_item: dict[str, list[dict]] = {}
    for answer in given:  # two answers to one item (a bad phone) are both kept, in the order given
        by_item.setdefault(str(answer.get("item")), []).append(answer)
    items = [i for i in (checklist or {}).get("items") or [] if isinstance(i, dict)]
    known = {str(i.get("key")) for i in items}
    pairs = [(item, answer) for item in items for answer in by_item.get(str(item.get("key")), [])]
    pairs += [(None, a) for a in given if str(a.get("item")) not in known]
    return pairs


def ordered_answers(answers, checklist: dict | None) -> list[dict]:
    """The answers alone, in the template's order (the review page and exports)."""
    return [answer for _item, answer in in_template_order(answers, checklist)]


def counts(rows: list[dict]) -> dict:
    """How many items were checked (不适用 and unanswered are not), failed, not applicable."""
    tally = {"checked": 0, "failed": 0, "na": 0, "passed": 0, "unanswered": 0}
    for row in rows:
        state = row["state"]
        tally[state] += 1
        tally["checked"] += state in ("failed", "passed")
    return tally


def short_print(rows: list[dict]) -> tuple[list[dict], int]:
    """The rows printed in full and how many the one line covers. Failed and unanswered items are printed
    in full, and so is anything the inspector wrote (a text record, a note): evidence never drops out."""
    full = [r for r in rows if r["state"] in ("failed", "unanswered") or r.get("written") or r["note"]]
    return full, len(rows) - len(full)


def found(item: dict | None, value) -> str:
    """检查发现: the violation a failed item states (and a number's reading)."""
    return found_text(item or {}, value) if item else ""
