"""扫码入企 evidence in words a person can rely on (pure): what was done, and what could be verified.

A QR code that was scanned was either verified or failed verification (and why); a site code typed in
by hand has no signature and cannot be verified; a phone without a GPS fix proves no place. The review
page words these through the catalogue (`ui.checkin.*`), the 现场检查记录 in the Chinese below.
"""
from __future__ import annotations

QR_FAILURES = ("not_ours", "malformed", "unknown_key", "bad_signature", "too_long")
STATES_CN = {
    "scan_ok": "扫描场所二维码，签名核验通过",
    "scan_failed": "扫描场所二维码，签名核验未通过",
    "scan_pending": "扫描场所二维码，尚未核验",
    "typed": "手工输入场所编码（无二维码签名，无法核验）",
}
REASONS_CN = {
    "not_ours": "不是本系统的场所二维码", "malformed": "二维码内容无法识别",
    "unknown_key": "二维码的密钥未在本系统登记", "bad_signature": "二维码签名不正确",
    "too_long": "二维码内容过长", "other": "原因不明",
}
TIME_LABELS_CN = {"typed": "输入编码时间"}


def describe(checkin, verdict) -> dict:
    """{state, reason, has_fix}: state one of STATES_CN; reason a QR_FAILURES code (or "other") when
    a scanned code failed verification; has_fix whether the phone had a GPS position."""
    checkin = checkin if isinstance(checkin, dict) else {}
    verdict = verdict if isinstance(verdict, dict) else {}
    qr = verdict.get("qr")
    reason = None
    if checkin.get("method") == "typed" or qr == "typed":
        state = "typed"
    elif qr is None:
        state = "scan_pending"
    elif qr == "ok":
        state = "scan_ok"
    else:
        state = "scan_failed"
        code = str(qr).split(".", 1)[-1]
        reason = code if code in QR_FAILURES else "other"
    return {"state": state, "reason": reason, "has_fix": bool(checkin.get("position"))}


def sentence_cn(checkin, verdict) -> str:
    """The record's sentence: 扫描场所二维码，签名核验未通过（二维码签名不正确）."""
    found = describe(checkin, verdict)
    text = STATES_CN[found["state"]]
    if found["reason"]:
        text += f"（{REASONS_CN[found['reason']]}）"
    return text


def time_label_cn(checkin) -> str:
    method = checkin.get("method") if isinstance(checkin, dict) else None
    return TIME_LABELS_CN.get(method, "扫码时间")
