"""Signed site QR codes: keys, tokens, signing, verification of hostile payloads, images and the A4 sheet."""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from i18n import Problem, catalogue
from server.qr import signing
from server.qr.signing import parse_keys, qr_url, site_id_from_token, site_token, verify_url

SITE = "site:91370102MA3C5EXJ4X:01"
OTHER_SITE = "site:91370102MA3C5EXJ4X:02"
TOKEN = "91370102MA3C5EXJ4X-01"
BASE = "https://jc.example.gov.cn"
K1 = "k1:" + base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")
K2 = "k2:" + base64.urlsafe_b64encode(bytes(range(100, 140))).decode()
KEYS = parse_keys(K1)
REASONS = {"qr.ok", "qr.not_ours", "qr.malformed", "qr.unknown_key", "qr.bad_signature", "qr.too_long"}


def good_url(site=SITE, keys=KEYS, kid="k1", base=BASE):
    return qr_url(base, site, keys, kid)


# --- keys -------------------------------------------------------------------------------------------

def test_parse_keys_reads_several_keys_with_or_without_padding_and_spaces():
    keys = parse_keys(f" {K1} , {K2} ")
    assert keys == {"k1": bytes(range(32)), "k2": bytes(range(100, 140))}


@pytest.mark.parametrize("spec, code", [
    ("", "qr.keys_missing"), ("   ", "qr.keys_missing"), (None, "qr.keys_missing"),
    ("k1", "qr.key_entry"), (K1 + ",", "qr.key_entry"),
    ("K1:" + K1[3:], "qr.key_id"), ("toolongid:" + K1[3:], "qr.key_id"), (":" + K1[3:], "qr.key_id"),
    ("ｋ1:" + K1[3:], "qr.key_id"), ("k-1:" + K1[3:], "qr.key_id"),
    (K1 + "," + K1, "qr.key_duplicate"),
    ("k1:" + "A" * 43 + "!", "qr.key_secret"), ("k1:" + "A+/" * 15, "qr.key_secret"), ("k1:", "qr.key_secret"),
    ("k1:" + "A" * 41, "qr.key_secret"),  # 41 characters of base64 cannot be whole bytes
    ("k1:" + "A" * 40, "qr.key_short"), ("k1:c2hvcnQ", "qr.key_short"),
    ("k1:" + "A" * 10_000, "qr.keys_too_long"),
])
def test_parse_keys_refuses_bad_settings_with_a_clear_code(spec, code):
    with pytest.raises(Problem) as err:
        parse_keys(spec)
    assert err.value.code == code
    assert K1[3:] not in err.value.message()  # a secret never shows up in an error message


def test_generate_key_spec_makes_a_fresh_usable_key():
    first, second = signing.generate_key_spec("k7"), signing.generate_key_spec("k7")
    assert first != second and first.startswith("k7:")
    assert len(parse_keys(first)["k7"]) == 32
    with pytest.raises(Problem):
        signing.generate_key_spec("Bad id")


# --- site tokens ------------------------------------------------------------------------------------

def test_site_token_round_trip():
    assert site_token(SITE) == TOKEN
    assert site_id_from_token(TOKEN) == SITE


@pytest.mark.parametrize("token", [
    "", "../../etc/passwd", "..%2F..%2Fetc", "91370102MA3C5EXJ4X/01", "91370102MA3C5EXJ4X-01/..",
    "91370102ma3c5exj4x-01", "91370102MA3C5EXJ4X-00", "91370102MA3C5EXJ4X-1", "91370102MA3C5EXJ4X-001",
    "91370102MA3C5EXJ4X-01\n", " 91370102MA3C5EXJ4X-01", "91370102MA3C5EXJ4O-01", "91370102MA3C5EXJ4I-01",
    "９1370102MA3C5EXJ4X-01", "91370102MА3C5EXJ4X-01",  # full-width 9; Cyrillic А
    "91370102MA3C5EXJ4X-٠١", "91370102MA3C5EXJ4X\u200b-01", "9" * 10_000, None, b"91370102MA3C5EXJ4X-01", 42,
])
def test_site_id_from_token_refuses_anything_but_the_exact_shape(token):
    with pytest.raises(Problem) as err:
        site_id_from_token(token)
    assert err.value.code == "qr.token"


@pytest.mark.parametrize("site_id", ["enterprise:91370102MA3C5EXJ4X", "site:91370102MA3C5EXJ4X:1",
                                     "site:91370102MA3C5EXJ4X:01:x", "site:../../x:01", None, "s" * 5000])
def test_site_token_refuses_other_ids(site_id):
    with pytest.raises(Problem) as err:
        site_token(site_id)
    assert err.value.code == "qr.site_id"


# --- signing ----------------------------------------------------------------------------------------

def test_sign_gives_the_parts_and_qr_url_is_short():
    parts = signing.sign(SITE, KEYS, "k1")
    assert parts["site_id"] == SITE and parts["token"] == TOKEN and parts["kid"] == "k1"
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", parts["sig"])
    url = good_url(base=BASE + "/")  # a trailing slash in the setting does not double up
    assert url == f"{BASE}/q/{TOKEN}?k=k1&s={parts['sig']}"
    assert len(url) < 90


def test_signatures_differ_per_site_and_per_key():
    keys = parse_keys(f"{K1},{K2}")
    sigs = {signing.sign(s, keys, k)["sig"] for s in (SITE, OTHER_SITE) for k in ("k1", "k2")}
    assert len(sigs) == 4


def test_sign_refuses_an_active_key_that_is_not_listed():
    with pytest.raises(Problem) as err:
        signing.sign(SITE, KEYS, "k9")
    assert err.value.code == "qr.active_key"


@pytest.mark.parametrize("base", ["ftp://host", "javascript:alert(1)//", "https://host/?x=1", "https://host/#a",
                                  "host.example", "https://ho st", "https://host/a/../b", "", None])
def test_qr_url_refuses_a_bad_base_url(base):
    with pytest.raises(Problem) as err:
        qr_url(base, SITE, KEYS, "k1")
    assert err.value.code == "qr.base_url"


# --- verification -----------------------------------------------------------------------------------

def test_round_trip_verifies():
    verdict = verify_url(good_url(), KEYS, expected_base_url=BASE)
    assert verdict == signing.Verdict(True, "qr.ok", site_id=SITE, kid="k1")
    assert verify_url(good_url(), KEYS).ok  # without an expected base, only the shape is checked


def test_round_trip_with_port_and_path_prefix_and_case_of_host():
    base = "http://127.0.0.1:8000/inspect"
    assert verify_url(qr_url(base, SITE, KEYS, "k1"), KEYS, expected_base_url=base + "/").ok
    url = good_url().replace("jc.example.gov.cn", "JC.Example.gov.CN")
    assert verify_url(url, KEYS, expected_base_url=BASE).ok
    assert verify_url(good_url().replace(BASE, BASE + ":443"), KEYS, expected_base_url=BASE).ok


def test_scanner_whitespace_around_the_payload_is_tolerated():
    assert verify_url(good_url() + "\r\n", KEYS, expected_base_url=BASE).ok


def test_a_rotated_out_key_still_verifies_while_it_is_listed():
    old = good_url(kid="k1")
    rotated = parse_keys(f"{K2},{K1}")
    new = qr_url(BASE, SITE, rotated, "k2")
    assert "k=k2" in new
    assert verify_url(old, rotated, BASE).kid == "k1" and verify_url(old, rotated, BASE).ok
    assert verify_url(new, rotated, BASE).ok
    retired = parse_keys(K2)
    assert verify_url(old, retired, BASE).reason == "qr.unknown_key"


def test_unknown_kid():
    verdict = verify_url(good_url().replace("k=k1", "k=k9"), KEYS, BASE)
    assert (verdict.ok, verdict.reason, verdict.kid, verdict.site_id) == (False, "qr.unknown_key", "k9", None)
    assert "k9" in verdict.message()


@pytest.mark.parametrize("bit", [0, 7, 64, 127])
def test_one_flipped_bit_in_the_signature_is_caught(bit):
    url = good_url()
    sig = url.rsplit("s=", 1)[1]
    raw = bytearray(base64.urlsafe_b64decode(sig + "=="))
    raw[bit // 8] ^= 1 << (bit % 8)
    forged = url.replace(sig, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("="))
    assert verify_url(forged, KEYS, BASE).reason == "qr.bad_signature"


def test_a_non_canonical_base64_signature_is_refused():
    # The last of 22 characters carries 2 unused bits: "…w" and "…x" decode to the same 16 bytes.
    url = good_url()
    sig = url.rsplit("s=", 1)[1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = sig[:-1] + alphabet[alphabet.index(sig[-1]) ^ 1]
    assert base64.urlsafe_b64decode(twin + "==") == base64.urlsafe_b64decode(sig + "==")
    assert verify_url(url.replace(sig, twin), KEYS, BASE).reason == "qr.bad_signature"


def test_another_site_id_with_the_old_signature_is_caught():
    forged = good_url().replace(TOKEN, "91370102MA3C5EXJ4X-02")
    assert verify_url(forged, KEYS, BASE).reason == "qr.bad_signature"


def test_a_signature_made_with_another_secret_is_caught():
    stranger = parse_keys("k1:" + base64.urlsafe_b64encode(b"x" * 32).decode())
    assert verify_url(good_url(keys=stranger), KEYS, BASE).reason == "qr.bad_signature"


@pytest.mark.parametrize("change", [
    lambda u: u.replace(BASE, "https://evil.example"), lambda u: u.replace(BASE, "https://jc.example.gov.cn.evil.cn"),
    lambda u: u.replace("https://", "http://"), lambda u: u.replace(BASE, BASE + ":8443"),
    lambda u: u.replace("/q/", "/x/q/"), lambda u: u.replace("/q/", "/Q/"), lambda u: u.replace("https", "ftp"),
    lambda u: u.replace(BASE, "https://user@jc.example.gov.cn"), lambda u: u.replace(BASE, "//jc.example.gov.cn"),
    lambda u: u.replace(BASE, "javascript:alert(1)//"), lambda u: "javascript:" + u,
])
def test_other_host_path_or_scheme_is_not_ours(change):
    assert verify_url(change(good_url()), KEYS, expected_base_url=BASE).reason == "qr.not_ours"


@pytest.mark.parametrize("payload, reason", [
    ("", "qr.not_ours"), ("hello", "qr.not_ours"), ("WIFI:S:net;T:WPA;P:secret;;", "qr.not_ours"),
    ("javascript:alert(document.cookie)", "qr.not_ours"), ("data:text/html,<script>x</script>", "qr.not_ours"),
    ("扫码入企", "qr.not_ours"), ("\x00\x01\x02", "qr.not_ours"), ("https://ｊc.example.gov.cn/q/x", "qr.not_ours"),
    (BASE + "/q/../../etc/passwd?k=k1&s=" + "A" * 22, "qr.malformed"),
    (BASE + "/q/..%2F..%2Fetc%2Fpasswd?k=k1&s=" + "A" * 22, "qr.malformed"),
    (BASE + "/q/９1370102MA3C5EXJ4X-01?k=k1&s=" + "A" * 22, "qr.malformed"),
    (BASE + "/q/" + TOKEN, "qr.malformed"), (BASE + "/q/" + TOKEN + "?", "qr.malformed"),
    (BASE + "/q/" + TOKEN + "?k=k1", "qr.malformed"), (BASE + "/q/" + TOKEN + "?k=k1&s=short", "qr.malformed"),
    (BASE + "/q/" + TOKEN + "?k=K1&s=" + "A" * 22, "qr.malformed"),
    (BASE + "/q/" + TOKEN + "?k=k1&k=k2", "qr.malformed"), (BASE + "/q/" + TOKEN + "?s=a&s=b", "qr.malformed"),
    (BASE + "/q/" + TOKEN + "?k=k1&s=" + "A" * 22 + "==", "qr.malformed"),
    (BASE + "/q/" + TOKEN + "?k=k1&s=" + "A" * 22 + "&x=1", "qr.malformed"),
    (BASE + "/q/" + TOKEN + "?k=k1&s=" + "A" * 21 + "\u0410", "qr.malformed"),
    (BASE + "/q/" + TOKEN + "?k=k1&s=" + "A" * 22 + "#frag", "qr.malformed"),
    (BASE + "/q/" + TOKEN + "/?k=k1&s=" + "A" * 22, "qr.malformed"),
    ("x" * 10_240, "qr.too_long"), (BASE + "/q/" + "A" * 600, "qr.too_long"),
    (None, "qr.malformed"), (b"https://jc.example.gov.cn/q/x", "qr.malformed"), (12, "qr.malformed"),
])
def test_hostile_payloads_get_a_verdict_not_an_exception(payload, reason):
    verdict = verify_url(payload, KEYS, expected_base_url=BASE)
    assert (verdict.ok, verdict.reason, verdict.site_id) == (False, reason, None)


def test_the_query_order_does_not_matter_but_the_signature_does():
    url = good_url()
    head, query = url.split("?")
    k, s = query.split("&")
    assert verify_url(f"{head}?{s}&{k}", KEYS, BASE).ok
    assert verify_url(f"{url}&{k}", KEYS, BASE).reason == "qr.malformed"  # even a repeated genuine pair


def test_the_length_limit_is_applied_before_parsing():
    url = good_url()
    assert verify_url(url + " " * (512 - len(url)), KEYS, BASE).ok
    assert verify_url(url + " " * (513 - len(url)), KEYS, BASE).reason == "qr.too_long"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=600), st.builds(lambda tail: good_url() + tail, st.text(max_size=20)),
                 st.builds(lambda head: head + good_url(), st.text(max_size=20))))
def test_verify_never_raises_and_never_accepts_an_altered_url(payload):
    verdict = verify_url(payload, KEYS, expected_base_url=BASE)
    assert verdict.reason in REASONS
    if verdict.ok:
        assert payload.strip(" \t\r\n") == good_url()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_reason_has_a_message(locale):
    for reason in REASONS | {"qr.unknown_site"}:
        text = signing.Verdict(False, reason, kid="k9").message(locale)
        assert text != reason and "{" not in text


def test_every_problem_code_in_the_package_is_in_both_catalogues():
    source = "".join(p.read_text(encoding="utf-8") for p in Path(signing.__file__).parent.glob("*.py"))
    codes = set(re.findall(r'Problem\("(qr\.[a-z_.]+)"', source)) | set(re.findall(r't\("(qr\.[a-z_.]+)"', source))
    assert len(codes) > 15
    for locale in ("zh_CN", "en"):
        assert codes <= set(catalogue(locale)), codes - set(catalogue(locale))
