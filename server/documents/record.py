"""现场检查记录: the plain context a filed inspection is printed from (pure)."""
from __future__ import annotations

from i18n import Problem
from schemas.checklist import item_failed
from server.documents import checkin_words, signed, wording
from server.documents.authorities import authority
from server.documents.formatting import (clean, coordinates_cn, date_cn, datetime_cn, display_number, grade_label,
                                         period_cn)
from server.documents.people import contact, joined, split_team, unit_party
from server.documents.record_items import counts, found, in_template_order, short_print
from server.documents.signatures import inspector_places, signers, single_place
from server.documents.sources import RecordSources

ANSWER_LABELS = {"yes": "符合", "no": "不符合", "na": "不适用"}
SHORT_RESULT = 16   # a longer answer (free text) is printed under the item, the result column says 已记录
LONG_ROW = 300      # rows with more text than this may break across pages
VERDICT_LABELS = {
    "site": {"wrong_site": "二维码不属于该场所", "unknown": "二维码无法核验"},
    "geofence": {"uncertain": "定位在场所范围边缘（在定位误差内）", "outside": "定位在场所范围以外",
                 "no_position": "未取得定位", "site_has_no_coordinates": "场所未登记坐标"},
    "time": {"before_window": "早于任务时段", "after_window": "晚于任务时段", "bad_time": "扫码时间无效"},
}
TYPED_SITE = {"wrong_site": "输入的场所编码不属于该场所", "unknown": "输入的场所编码无法识别"}


def build(src: RecordSources, authorities: dict | None = None, full: bool = False) -> dict:
    """The record's context; `full` prints every item, otherwise failed ones and one line for the rest."""
    rec = src.inspection
    issuer = authority(src.issuer_region or rec.get("region"), authorities or {})
    inspectors, experts = split_team(rec.get("team") or [rec.get("inspector")], rec.get("experts"), src.people)
    number = display_number(rec.get("number"))  # taken at approval and written on the record (0005)
    site = src.site or {}
    checked = signed.check(rec, src.hazards, signed.item_labels(src.checklist, src.hazards))
    sigs = marked(rec.get("signatures"), checked["states"])
    manager = single_place(sigs, "manager", src.images)
    return {
        "kind": "record", "title": "现场检查记录", "number": number,
        "draft": number is None or rec.get("review_status") != "approved",
        "unit": unit_party(src.enterprise, rec.get("enterprise_name", ""), rec.get("enterprise", "")),
        "place": clean(rec.get("place"), 200) or joined([clean(site.get("name"), 100), clean(site.get("address"), 200)], "，"),
        "period": period_cn(rec.get("started_at"), rec.get("finished_at")),
        "purpose": clean(rec.get("purpose"), 300), "task_kind": wording.TASK_KINDS.get(rec.get("task_kind"), ""),
        "inspectors": inspectors, "experts": experts,
        "opening": opening(inspectors, issuer["name"]), "authority": issuer,
        "manager": contact(rec.get("manager")), "witness": contact(rec.get("witness")),
        "checkin": checkin(rec.get("checkin"), rec.get("checkin_verdict")),
        "checklist_title": clean(((src.checklist or {}).get("title") or {}).get("zh"), 100),
        **checks_part(items(rec.get("answers"), src.checklist), full),
        "hazards": hazards(src.hazards),
        "signers": signers(inspector_places(sigs, inspectors, src.images),
                           [("被检查单位现场负责人", manager), ("见证人", single_place(sigs, "witness", src.images))]),
        "signcheck": checked,
        "manager_refused": manager["state"] == "refused",
        "refusal_basis": wording.RECORD_REFUSAL_BASIS, "copies": wording.RECORD_COPIES,
        "date": date_cn(rec.get("finished_at") or rec.get("started_at")),
    }


def marked(signatures, states: list[str]) -> list:
    """The signatures, each marked with whether it signed the content as it is (states of signed.check)."""
    entries = signatures if isinstance(signatures, list) else []
    return [{**s, "_state": state} if isinstance(s, dict) else s for s, state in zip(entries, states)]


def opening(inspectors: list[dict], issuer_name: str = "") -> str:
    """我们是…执法人员…，证件号码为…: every inspector named with the certificate number shown, as
    officers of the case's issuing bureau (issuer.py), whatever unit each certificate names."""
    units = issuer_name or joined(p["unit"] for p in inspectors)
    return wording.RECORD_OPENING.format(units=(units + "的") if units else "",
                                         names=joined((p["name"] for p in inspectors)),
                                         certs=joined((p["cert_no"] or "（未登记）" for p in inspectors)))


def checkin(value, verdict) -> dict | None:
    """扫码入企 evidence in words: when the QR was scanned, where the phone was, what did not match."""
    if not isinstance(value, dict):
        return None
    verdict = verdict if isinstance(verdict, dict) else {}
    typed = checkin_words.describe(value, verdict)["state"] == "typed"
    issues = [label for part, labels in VERDICT_LABELS.items()
              if (label := (TYPED_SITE if typed and part == "site" else labels).get(verdict.get(part)))]
    if not value.get("position") and "未取得定位" not in issues:
        issues.append("未取得定位")
    # How the site was identified, worded truthfully: a typed code is never "scanned" nor "failed".
    return {"scanned_at": datetime_cn(value.get("scanned_at")), "position": coordinates_cn(value.get("position")),
            "time_label": checkin_words.time_label_cn(value), "how": checkin_words.sentence_cn(value, verdict),
            "issues": issues, "override": clean(value.get("override_reason"), 300)}


def answer_result(item: dict | None, value) -> tuple[str, bool]:
    """The printed result of one answer and whether it fails its item."""
    if value is None:
        return "未检查", False
    kind = (item or {}).get("answer")
    try:
        failed = item_failed(item, value) if item else value == "no"
    except Problem:
        failed = False  # an answer of the wrong kind is printed as given, never judged
    if value == "na" or (isinstance(value, str) and value in ANSWER_LABELS and kind in (None, "yes_no_na")):
        return ANSWER_LABELS[value], failed
    text = clean(value, 2000)
    if kind == "number":
        text += clean((item or {}).get("unit"), 20)
        if failed:
            text += "（不符合）"
    return text, failed


def checks_part(rows: list[dict], full: bool) -> dict:
    """The rows to print, the tally, and the one line for the rest in the short print."""
    printed, rest = (rows, 0) if full else short_print(rows)
    return {"checks": printed, "all_checks": rows, "tally": counts(rows), "rest": rest, "full": full}


def items(answers, checklist: dict | None) -> list[dict]:
    """One row per answer, in the template's order (record_items), numbered as in the checklist."""
    rows = []
    for n, (item, answer) in enumerate(in_template_order(answers, checklist)):
        value = answer.get("value")
        result, failed = answer_result(item, value)
        photos = len(answer.get("photos") or []) if isinstance(answer.get("photos"), list) else 0
        row = {"no": n + 1, "text": clean(((item or {}).get("text") or {}).get("zh"), 500) or clean(answer.get("item"), 64),
               "basis": clean((item or {}).get("basis"), 300), "result": result, "record": "", "failed": failed,
               "note": clean(answer.get("note"), 1000), "photos": photos,
               "state": "failed" if failed else "unanswered" if value is None else "na" if value == "na" else "passed",
               "found": clean(found(item, value), 600) if failed else ""}
        if len(result) > SHORT_RESULT:
            row.update(record=result, result="不符合" if failed else "已记录")
        row["written"] = bool(row["record"]) or ((item or {}).get("answer") == "text" and value not in (None, "na"))
        row["long"] = len(row["text"]) + len(row["note"]) + len(row["record"]) + len(row["found"]) > LONG_ROW
        rows.append(row)
    return rows


def hazards(docs: list[dict]) -> list[dict]:
    ordered = sorted((d for d in docs if isinstance(d, dict)), key=lambda d: str(d.get("found_at") or ""))
    rows = [{"no": n, "description": clean(d.get("description"), 2000), "location": clean(d.get("location"), 200),
             "grade": d.get("grade"), "grade_label": grade_label(d.get("grade")),
             "proposed_deadline": date_cn(d.get("proposed_deadline")), "photos": len(d.get("photos") or [])}
            for n, d in enumerate(ordered, start=1)]
    for row in rows:
        row["long"] = len(row["description"]) + len(row["location"]) > LONG_ROW
    return rows
