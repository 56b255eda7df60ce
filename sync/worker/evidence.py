"""Check-in evidence (扫码入企, 四不两直): QR signature, right site, distance within the geofence, time window. Pure."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from i18n import Problem
from server.qr.signing import site_id_from_token, verify_url

EARTH_RADIUS_M = 6_371_008.8
SHANGHAI = timezone(timedelta(hours=8))


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine); both points WGS-84, as stored (like is compared with like)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _parse_time(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo else None


def check_in_verdict(checkin: dict, task: dict, site: dict, keys: dict, base_url: str) -> dict:
    """A verdict per rule and an overall one; never raises, so a record is never dropped for its evidence."""
    verdict = _code_verdict(checkin, task, keys, base_url)
    verdict.update(_position_verdict(checkin.get("position"), site))
    verdict["time"] = _time_verdict(checkin.get("scanned_at", ""), task["window"])
    checks = (verdict["qr"], verdict["site"], verdict["geofence"], verdict["time"])
    verdict["overall"] = "ok" if all(v == "ok" for v in checks) else "warning"
    verdict["override_reason"] = checkin.get("override_reason")
    return verdict


def _code_verdict(checkin: dict, task: dict, keys: dict, base_url: str) -> dict:
    """The scanned code's signature and site; a typed site code has no signature to check ("typed")."""
    if checkin.get("method") == "typed":
        try:
            site_id = site_id_from_token(str(checkin.get("qr", "")).strip().upper())
        except Problem:
            return {"qr": "typed", "site": "unknown"}
        return {"qr": "typed", "site": "ok" if site_id == task["site"] else "wrong_site"}
    qr = verify_url(checkin.get("qr", ""), keys, expected_base_url=base_url)
    return {"qr": qr.reason if not qr.ok else "ok",
            "site": "ok" if qr.ok and qr.site_id == task["site"] else ("wrong_site" if qr.ok else "unknown")}


def _position_verdict(position: dict | None, site: dict) -> dict:
    if not position:
        return {"geofence": "no_position", "distance_m": None, "accuracy_m": None}
    if site.get("lat") is None or site.get("lng") is None:
        return {"geofence": "site_has_no_coordinates", "distance_m": None, "accuracy_m": position["accuracy_m"]}
    distance = distance_m(position["lat"], position["lng"], site["lat"], site["lng"])
    radius = site.get("radius_m", 300)
    if distance <= radius:
        state = "ok"
    elif distance - position["accuracy_m"] <= radius:
        state = "uncertain"   # outside, but within the fix's own error: not proof of absence
    else:
        state = "outside"
    return {"geofence": state, "distance_m": round(distance, 1), "accuracy_m": position["accuracy_m"],
            "radius_m": radius}


def _time_verdict(scanned_at: str, window: dict) -> str:
    moment = _parse_time(scanned_at)
    if moment is None:
        return "bad_time"
    local_day = moment.astimezone(SHANGHAI).date().isoformat()
    if local_day < window["start"]:
        return "before_window"
    if local_day > window["end"]:
        return "after_window"
    return "ok"
