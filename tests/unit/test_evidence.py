"""Check-in evidence: a typed site code (no camera, or a damaged sheet) is never taken for a verified scan."""
from server.qr.signing import generate_key_spec, parse_keys, qr_url
from sync.worker.evidence import check_in_verdict

KEYS = parse_keys(generate_key_spec("k1"))
BASE = "https://aqjc.example.gov.cn"
TASK = {"site": "site:91370102MA3C5EXJ4X:01", "window": {"start": "2026-12-01", "end": "2026-12-03"}}
SITE = {"lat": 36.66, "lng": 117.05, "radius_m": 200}
AT = "2026-12-01T02:00:00+00:00"
HERE = {"lat": 36.6601, "lng": 117.0501, "accuracy_m": 10, "at": AT}


def verdict(**checkin):
    return check_in_verdict({"scanned_at": AT, "position": HERE, **checkin}, TASK, SITE, KEYS, BASE)


def test_a_signed_scan_of_the_right_site_is_ok():
    result = verdict(qr=qr_url(BASE, TASK["site"], KEYS, "k1"), method="scan")
    assert (result["qr"], result["site"], result["geofence"], result["overall"]) == ("ok", "ok", "ok", "ok")


def test_a_typed_code_names_its_site_but_stays_a_warning():
    result = verdict(qr="91370102ma3c5exj4x-01", method="typed")
    assert (result["qr"], result["site"], result["overall"]) == ("typed", "ok", "warning")
    other = verdict(qr="91370102MA3C5EXJ4X-02", method="typed")
    assert other["site"] == "wrong_site"


def test_a_typed_value_that_is_no_site_code():
    for junk in ("", "x" * 600, "<script>", "site:91370102MA3C5EXJ4X:01", "91370102MA3C5EXJ4X-01?k=k1"):
        result = verdict(qr=junk, method="typed")
        assert (result["qr"], result["site"], result["overall"]) == ("typed", "unknown", "warning")


def test_a_full_url_sent_as_typed_is_not_verified_as_a_scan():
    result = verdict(qr=qr_url(BASE, TASK["site"], KEYS, "k1"), method="typed")
    assert result["qr"] == "typed" and result["overall"] == "warning"
