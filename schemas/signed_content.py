"""What a signature signs: a record's canonical content and its SHA-256 (docs/decisions/0013).

The same rule is written in JavaScript for the phone (fieldkit/js/content.js); both are held to the shared
test vectors in data/test-vectors/signed-content.json, so the two can never drift apart. The content is
the record's findings, answers, hazards, times and people — never sync metadata (`_rev`, `source`), the
status or finish time, the signatures themselves, the review, nor the corrections list.

Serialisation: JSON, object keys sorted by code point, no spaces, strings escaped as ECMAScript's
JSON.stringify escapes them (non-ASCII kept as UTF-8), numbers written as ECMAScript writes them
(12, 12.5, 1e-7, 1e+21), non-finite numbers as null; the hash is SHA-256 of the UTF-8 bytes, lowercase hex.
"""
from __future__ import annotations

import hashlib
import json
import math
import re

MAX_DEPTH = 32
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def js_number(x) -> str:
    """A number as ECMAScript's Number::toString writes it (shortest round-trip digits, its exponent rules)."""
    if isinstance(x, int) and abs(x) < 2 ** 53:
        return str(x)
    x = float(x)
    if not math.isfinite(x):
        return "null"
    if x == 0:
        return "0"
    sign, text = ("-" if x < 0 else ""), repr(abs(x))
    mantissa, _, exp_text = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    exp = int(exp_text) if exp_text else 0
    if whole.strip("0"):
        n = len(whole.lstrip("0")) + exp
    else:
        n = exp - (len(frac) - len(frac.lstrip("0")))
    digits = (whole + frac).lstrip("0").rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + out


def _string(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    # JSON.stringify writes a lone surrogate as an escape; Python would write the raw (unencodable) unit
    return _LONE_SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group(0)), out)


def canonical_json(value, depth: int = 0) -> str:
    if depth > MAX_DEPTH:
        raise ValueError("content nested too deeply")
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_string(str(k))}:{canonical_json(value[k], depth + 1)}" for k in sorted(value)) + "}"
    raise ValueError(f"not JSON: {type(value).__name__}")


def _or(value, fallback):
    return fallback if value is None else value


def _person(p):
    return {"name": _or(p.get("name"), ""), "role": _or(p.get("role"), ""), "phone": _or(p.get("phone"), "")} \
        if isinstance(p, dict) else None


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _sorted_by(rows: list[dict], key: str) -> list[dict]:
    return sorted(rows, key=lambda r: (canonical_json(r[key]), canonical_json(r)))


def signed_content(inspection: dict, hazards: list[dict]) -> dict:
    """The canonical content of a record and its hazards (version 1), as fieldkit/js/content.js builds it."""
    answers = [{"item": a.get("item"), "value": a.get("value"), "note": _or(a.get("note"), ""),
                "photos": _list(a.get("photos"))}
               for a in _list(inspection.get("answers")) if isinstance(a, dict)]
    answers = [a for a in answers if a["value"] is not None or a["note"] != "" or a["photos"]]
    found = [{"id": h.get("_id"), "item": h.get("item"), "description": _or(h.get("description"), ""),
              "location": _or(h.get("location"), ""), "grade": h.get("grade"),
              "proposed_deadline": h.get("proposed_deadline"), "found_at": h.get("found_at"),
              "photos": _list(h.get("photos"))}
             for h in hazards if isinstance(h, dict) and not h.get("_deleted")]
    checkin = inspection.get("checkin") if isinstance(inspection.get("checkin"), dict) else {}
    return {"v": 1, "record": inspection.get("_id"), "task": inspection.get("task"),
            "checklist": inspection.get("checklist"), "started_at": inspection.get("started_at"),
            "checked_in_at": checkin.get("scanned_at"), "place": _or(inspection.get("place"), ""),
            "purpose": _or(inspection.get("purpose"), ""), "manager": _person(inspection.get("manager")),
            "witness": _person(inspection.get("witness")), "experts": _list(inspection.get("experts")),
            "answers": _sorted_by(answers, "item"), "hazards": _sorted_by(found, "id")}


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(inspection: dict, hazards: list[dict]) -> str | None:
    """The hash of the record as it is; None when it cannot be computed (a hostile, absurdly nested value)."""
    try:
        return sha256_hex(canonical_json(signed_content(inspection, hazards)))
    except (ValueError, RecursionError):
        return None


def signature_state(signature: dict, content_sha256: str | None) -> str:
    """signed | refused (bound to this content), void (bound to other content), unbound (no hash)."""
    bound = signature.get("content_sha256") if isinstance(signature, dict) else None
    if not isinstance(bound, str) or not bound:
        return "unbound"
    if bound != content_sha256:
        return "void"
    return "refused" if signature.get("refused") is True else "signed"
