"""Whistleblower protection (保护举报人): the reporter's name and contact encrypted at rest, and their reveal.

The key lives in a file (REPORTER_KEY_FILE), never in CouchDB, so that a copy of the databases (a backup,
CouchDB's administrator) holds only ciphertext. The file has one `kid:base64url(32 bytes)` per line; every
line decrypts and the last one encrypts, so a key can be rotated by adding a line. AES-256-GCM with the
report's id as associated data: a ciphertext copied onto another report does not decrypt there.

`make run` and the tests get a fresh key under var/ when the file is missing; anywhere else a missing key
file is an error (a silently new key would make every earlier identity unreadable).
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from server import audit
from server.accounts import roles
from server.config import ConfigError
from server.db import database

ALG = "AES-256-GCM"
VAR = Path(__file__).resolve().parents[2] / "var"
_LINE = re.compile(r"^([a-z0-9]{1,8}):([A-Za-z0-9_-]{43}=?)$")
MAX_FIELD = 200


def make_key_line(kid: str) -> str:
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"


def _may_create(path: Path) -> bool:
    # Only a key under the project's var/ (make run, tests) is made on demand.
    return current_app.testing or path.resolve().is_relative_to(VAR)


def create_key_file(path: Path) -> bool:
    """Write a new key file (0600 from the start); False if one is there already."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when two workers start at once, one writes the key and the other reads it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as out:
        out.write(make_key_line("r1") + "\n")
    return True


def keyring() -> tuple[dict[str, bytes], str]:
    """({kid: key}, the kid that encrypts) from REPORTER_KEY_FILE."""
    path = Path(current_app.config.get("REPORTER_KEY_FILE") or "var/reporter.key")
    if not path.exists():
        if not _may_create(path):
            raise ConfigError(f"REPORTER_KEY_FILE {path} is missing: create it with "
                              "`flask --app server reporter-key FILE` and keep a copy with the backups' keys")
        create_key_file(path)
    keys: dict[str, bytes] = {}
    last = ""
    for line in path.read_text(encoding="utf-8").split():
        match = _LINE.fullmatch(line.strip())
        if not match:
            raise ConfigError(f"REPORTER_KEY_FILE {path}: each line must be kid:<32 bytes in base64url>")
        try:
            keys[match[1]] = base64.urlsafe_b64decode(match[2] + "=" * (-len(match[2]) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ConfigError(f"REPORTER_KEY_FILE {path}: key {match[1]} is not base64url") from exc
        last = match[1]
    if not keys:
        raise ConfigError(f"REPORTER_KEY_FILE {path} holds no key")
    return keys, last


def seal(report_id: str, name: str, contact: str) -> dict:
    """The `identity` field of a named report: name and contact, encrypted and bound to the report's id."""
    keys, kid = keyring()
    nonce = secrets.token_bytes(12)
    plain = json.dumps({"name": name[:MAX_FIELD], "contact": contact[:MAX_FIELD]}, ensure_ascii=False).encode()
    sealed = AESGCM(keys[kid]).encrypt(nonce, plain, report_id.encode())
    return {"alg": ALG, "key_id": kid, "ciphertext": base64.b64encode(nonce + sealed).decode()}


def unseal(report: dict) -> dict:
    """{name, contact} of a named report. Raises ValueError if the key or the ciphertext does not fit."""
    identity = report.get("identity") or {}
    keys, _ = keyring()
    key = keys.get(str(identity.get("key_id")))
    if identity.get("alg") != ALG or key is None:
        raise ValueError("no key for this identity")
    try:
        blob = base64.b64decode(str(identity.get("ciphertext", "")), validate=True)
        plain = AESGCM(key).decrypt(blob[:12], blob[12:], report["_id"].encode())
    except (binascii.Error, ValueError, InvalidTag) as exc:
        raise ValueError("identity does not decrypt") from exc
    return json.loads(plain)


def may_reveal(user: dict | None) -> bool:
    """Only an admin, or a user an admin flagged `may_reveal_reporters`, may see who reported."""
    return bool(user) and (user.get("role") == roles.ADMIN or (user.get("role") in roles.STAFF
                                                                and user.get("may_reveal_reporters") is True))


def reveal(report: dict, user: dict, reason: str) -> dict:
    """Decrypt a reporter's identity for `user`, auditing who, which report and why (never what)."""
    decrypted = unseal(report)
    audit.append(database("audit"), user["username"], "report.reveal", report["_id"], {"reason": reason})
    return decrypted
