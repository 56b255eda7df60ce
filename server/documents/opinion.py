"""整改复查意见书: the plain context one re-inspection of a case is printed from (pure)."""
from __future__ import annotations

from server.documents import wording
from server.documents.authorities import authority
from server.documents.formatting import clean, date_cn, datetime_cn, display_number, grade_label
from server.documents.people import split_team, unit_party
from server.documents.signatures import inspector_places, signers, single_place
from server.documents.sources import OpinionSources

RESULT_LABELS = {"pass": "已整改完毕", "fail": "未整改完毕"}


def build(src: OpinionSources, authorities: dict) -> dict:
    case, order, answer = src.case, src.order, src.reinspection or {}
    entry = (case.get("reinspections") or [])[src.n - 1]
    team = answer.get("team") or (src.task or {}).get("inspectors") or []
    inspectors, _experts = split_team(team, [], src.people)
    number = display_number(entry.get("opinion_number"))
    issuer = authority(src.issuer_region or case.get("region") or order.get("region"), authorities)
    rows = items(src.cases, entry.get("task"), order, answer)
    failed = [str(r["no"]) for r in rows if r["result"] != "pass"]
    return {
        "kind": "opinion", "title": "整改复查意见书", "number": number, "draft": number is None, "n": src.n,
        "unit": unit_party(src.enterprise, case.get("enterprise_name", ""), case.get("enterprise", "")),
        "opening": opening(order, answer, entry, issuer["name"]),
        "problems": rows,
        "conclusion": (wording.OPINION_SOME_FAILED.format(items="、".join(failed), issuer=issuer["name"]) if failed
                       else wording.OPINION_ALL_PASSED),
        "authority": issuer, "inspectors": inspectors,
        "signers": signers(inspector_places(answer.get("signatures"), inspectors, src.images),
                           [("被复查单位负责人", single_place(answer.get("signatures"), "manager", src.images))]),
        "copies": wording.DUPLICATE_TO_REINSPECTED, "date": date_cn(entry.get("at")),
    }


def opening(order: dict, answer: dict, entry: dict, issuer_name: str = "本机关") -> str:
    when = datetime_cn(answer.get("started_at")) or date_cn(entry.get("at"))
    return wording.OPINION_OPENING.format(
        issuer=issuer_name,
        order_date=date_cn(order.get("issued_at")) or "＿＿年＿＿月＿＿日",
        order_number=display_number(order.get("number")) or "（未编号）",
        reinspected=when or "＿＿年＿＿月＿＿日")


def items(cases: list[dict], task_id, order: dict, answer: dict) -> list[dict]:
    """Each re-inspected problem: its deadline from the order, the result recorded on its case for
    this task, and the inspector's note from the phone's answer (answers are keyed by hazard id)."""
    deadlines = {i.get("case"): i.get("deadline") for i in order.get("items") or [] if isinstance(i, dict)}
    provisional = {i.get("case") for i in order.get("items") or [] if isinstance(i, dict) and i.get("deadline_provisional")}
    notes = {a.get("item"): a for a in answer.get("answers") or [] if isinstance(a, dict)}
    rows = []
    for n, case in enumerate(cases, start=1):
        entry = next((r for r in reversed(case.get("reinspections") or [])
                      if isinstance(r, dict) and r.get("task") == task_id), {})
        result = entry.get("result") if entry.get("result") in RESULT_LABELS else ""
        note = notes.get(case.get("hazard")) or {}
        rows.append({"no": n, "description": clean(case.get("description"), 2000),
                     "location": clean(case.get("location"), 200), "grade_label": grade_label(case.get("grade")),
                     "deadline": date_cn(deadlines.get(case["_id"]) or case.get("deadline")),
                     "deadline_provisional": case["_id"] in provisional,   # printed 暂定 until recounted
                     "result": result, "result_label": RESULT_LABELS.get(result, "未记录结果"),
                     "note": clean(note.get("note"), 1000)})
    return rows
