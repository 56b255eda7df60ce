"""Signing and verifying the URL in a site's QR code (场所二维码): keys, site tokens, signatures, verdicts.

Why HMAC and not a public-key signature: DESIGN.md asks only that the server (and its worker) verify a
code, and both hold the keys, so nobody else needs to check a signature. HMAC-SHA256 truncated to 128
bits is 22 characters of base64url, where an Ed25519 signature is 86: the URL stays near 80 characters,
which is a version 5 QR code at error correction M, with large modules that a phone camera reads
quickly on a faded, dusty or crooked sheet. 128 bits is far beyond online guessing (every guess costs a
request). The message is domain-separated (`site-qr/v1`) so these MACs can never be mistaken for
anything else signed with the same secret, and so a v2 format can be told apart.

Keys rotate: every key in QR_KEYS verifies, only QR_ACTIVE_KEY signs, so new codes can be printed
with a new key while the sheets already on the walls stay valid until their key is removed.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from i18n import Problem, t

DOMAIN = b"site-qr/v1\n"
SIG_BYTES = 16
MIN_SECRET_BYTES = 32
MAX_PAYLOAD = 512
MAX_KEY_SPEC = 8192
PATH_PREFIX = "/q/"

# GB 32100-2015: the 31 characters a USCC uses (no I, O, S, V, Z). re.ASCII everywhere so that no
# Unicode digit or look-alike letter slips through a character class.
_USCC = "[0-9A-HJ-NP-RTUW-Y]{18}"
_NUMBER = "(?:0[1-9]|[1-9][0-9])"
_SITE_ID = re.compile(rf"site:(?P<uscc>{_USCC}):(?P<number>{_NUMBER})", re.ASCII)
_TOKEN = re.compile(rf"(?P<uscc>{_USCC})-(?P<number>{_NUMBER})", re.ASCII)
_KID = re.compile(r"[a-z0-9]{1,8}", re.ASCII)
_SECRET = re.compile(r"[A-Za-z0-9_-]+={0,2}", re.ASCII)
_SIG = re.compile(r"[A-Za-z0-9_-]{22}", re.ASCII)
_BASE = re.compile(r"(?P<scheme>[A-Za-z]+)://(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])"
                   r"(?::(?P<port>[0-9]{1,5}))?(?P<path>(?:/[A-Za-z0-9._~-]+)*)", re.ASCII)
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Verdict:
    """What a scanned payload turned out to be. `site_id` is set only when `ok`."""

    ok: bool
    reason: str
    site_id: str | None = None
    kid: str | None = None

    def message(self, locale: str | None = None) -> str:
        return t(self.reason, locale, kid=self.kid or "", max=MAX_PAYLOAD)


def parse_keys(spec: str) -> dict[str, bytes]:
    """The keys of a QR_KEYS setting, `"k1:<base64url secret>,k2:<...>"`, as {key id: secret}."""
    if not isinstance(spec, str) or not spec.strip():
        raise Problem("qr.keys_missing")
    if len(spec) > MAX_KEY_SPEC:
        raise Problem("qr.keys_too_long", max=MAX_KEY_SPEC)
    keys: dict[str, bytes] = {}
    for n, entry in enumerate(spec.split(","), start=1):
        kid, colon, encoded = entry.strip().partition(":")
        if not colon:
            raise Problem("qr.key_entry", n=n)
        if not _KID.fullmatch(kid):
            raise Problem("qr.key_id", kid=kid[:20])
        if kid in keys:
            raise Problem("qr.key_duplicate", kid=kid)
        keys[kid] = _decode_secret(kid, encoded)
    return keys


def _decode_secret(kid: str, encoded: str) -> bytes:
    # urlsafe_b64decode silently drops characters outside the alphabet; check the text first so that
    # a mangled secret is refused rather than quietly shortened.
    if not _SECRET.fullmatch(encoded):
        raise Problem("qr.key_secret", kid=kid)
    bare = encoded.rstrip("=")
    try:
        secret = base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
    except (binascii.Error, ValueError):
        raise Problem("qr.key_secret", kid=kid) from None
    if len(secret) < MIN_SECRET_BYTES:
        raise Problem("qr.key_short", kid=kid, length=len(secret), min=MIN_SECRET_BYTES)
    return secret


def generate_key_spec(kid: str) -> str:
    """A fresh `kid:secret` entry for QR_KEYS (32 random bytes), for an operator to paste in."""
    if not isinstance(kid, str) or not _KID.fullmatch(kid):
        raise Problem("qr.key_id", kid=str(kid)[:20])
    return f"{kid}:{_b64(secrets.token_bytes(MIN_SECRET_BYTES))}"


def site_token(site_id: str) -> str:
    """The URL form of a site id: `site:91370102MA3C5EXJ4X:01` → `91370102MA3C5EXJ4X-01`."""
    match = _SITE_ID.fullmatch(site_id) if isinstance(site_id, str) and len(site_id) <= 40 else None
    if not match:
        raise Problem("qr.site_id", value=str(site_id)[:40])
    return f"{match['uscc']}-{match['number']}"


def site_id_from_token(token: str) -> str:
    """The site id a URL token stands for; anything but the exact token shape is refused."""
    match = _TOKEN.fullmatch(token) if isinstance(token, str) and len(token) == 21 else None
    if not match:
        raise Problem("qr.token")
    return f"site:{match['uscc']}:{match['number']}"


def sign(site_id: str, keys: dict[str, bytes], active_kid: str) -> dict:
    """The parts of a signed site code: site_id, token, kid and sig."""
    token = site_token(site_id)
    if active_kid not in keys:
        raise Problem("qr.active_key", kid=str(active_kid)[:20])
    return {"site_id": site_id, "token": token, "kid": active_kid, "sig": _signature(keys[active_kid], site_id)}


def qr_url(base_url: str, site_id: str, keys: dict[str, bytes], active_kid: str) -> str:
    """The URL printed in a site's QR code, e.g. `https://host/q/91370102MA3C5EXJ4X-01?k=k1&s=…`."""
    base = base_url.rstrip("/") if isinstance(base_url, str) else ""
    if _normal_base(base) is None:
        raise Problem("qr.base_url", value=str(base_url)[:80])
    parts = sign(site_id, keys, active_kid)
    return f"{base}{PATH_PREFIX}{parts['token']}?k={parts['kid']}&s={parts['sig']}"


def verify_url(payload, keys: dict[str, bytes], expected_base_url: str | None = None) -> Verdict:
    """Check a scanned payload; never raises on what a QR code or a browser may send."""
    if not isinstance(payload, str):
        return Verdict(False, "qr.malformed")
    if len(payload) > MAX_PAYLOAD:
        return Verdict(False, "qr.too_long")
    head, qmark, query = payload.strip(" \t\r\n").partition("?")
    base, prefix, token = head.rpartition(PATH_PREFIX)
    if not prefix or not _is_ours(base, expected_base_url):
        return Verdict(False, "qr.not_ours")
    params = _query(query) if qmark else None
    try:
        site_id = site_id_from_token(token)
    except Problem:
        return Verdict(False, "qr.malformed")
    if params is None:
        return Verdict(False, "qr.malformed")
    kid, sig = params
    if kid not in keys:
        return Verdict(False, "qr.unknown_key", kid=kid)
    if not hmac.compare_digest(_signature(keys[kid], site_id), sig):
        return Verdict(False, "qr.bad_signature", kid=kid)
    return Verdict(True, "qr.ok", site_id=site_id, kid=kid)


def _signature(secret: bytes, site_id: str) -> str:
    mac = hmac.new(secret, DOMAIN + site_id.encode("ascii"), hashlib.sha256).digest()
    return _b64(mac[:SIG_BYTES])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _query(query: str) -> tuple[str, str] | None:
    """(kid, sig) from exactly `k=…&s=…` (either order), or None for anything else."""
    pairs = [part.partition("=") for part in query.split("&")]
    values = {name: value for name, eq, value in pairs if eq}
    if len(pairs) != 2 or set(values) != {"k", "s"}:
        return None
    if not _KID.fullmatch(values["k"]) or not _SIG.fullmatch(values["s"]):
        return None
    return values["k"], values["s"]


def _is_ours(base: str, expected_base_url: str | None) -> bool:
    found = _normal_base(base)
    if found is None:
        return False
    if expected_base_url is None:
        return True
    expected = _normal_base(expected_base_url.rstrip("/")) if isinstance(expected_base_url, str) else None
    return expected is not None and found == expected


def _normal_base(base: str) -> tuple[str, str, int, str] | None:
    """(scheme, host, port, path) of an http(s) base URL, compared case-insensitively where URLs are."""
    match = _BASE.fullmatch(base) if len(base) <= MAX_PAYLOAD else None
    if not match:
        return None
    scheme = match["scheme"].lower()
    if scheme not in _DEFAULT_PORTS or any(seg.strip(".") == "" for seg in match["path"].split("/")[1:]):
        return None
    port = int(match["port"]) if match["port"] else _DEFAULT_PORTS[scheme]
    if not 0 < port < 65536:
        return None
    return scheme, match["host"].lower(), port, match["path"]
