"""The field kit's app shell as files: which ones, where they live, and one version hash over all of them.

No build step: the shell is plain ES modules and two vendored libraries served as they are. The service
worker precaches exactly this list, and its version is a hash of every file's bytes, so a changed file
changes the service worker, which the browser then offers as an update.
"""
from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIELDKIT = ROOT / "fieldkit"
# Vendored browser libraries, by the URL name the shell uses (pinned in package.json).
VENDOR = {
    "vendor/pouchdb.min.js": ROOT / "node_modules" / "pouchdb" / "dist" / "pouchdb.min.js",
    "vendor/jsQR.js": ROOT / "node_modules" / "jsqr" / "dist" / "jsQR.js",
}
SHELL_SUFFIXES = {".html", ".js", ".css", ".png", ".webmanifest", ".svg"}
SKIP_DIRS = {"tests"}


@dataclass(frozen=True)
class Asset:
    name: str       # path under /app/
    path: Path
    content_type: str


def _own_files() -> list[Asset]:
    found = []
    for path in sorted(FIELDKIT.rglob("*")):
        rel = path.relative_to(FIELDKIT)
        if not path.is_file() or path.suffix not in SHELL_SUFFIXES or rel.parts[0] in SKIP_DIRS:
            continue
        if rel.as_posix() == "sw.js":
            continue  # the service worker is rendered with the list, never precached by itself
        found.append(Asset(rel.as_posix(), path, _type(path)))
    return found


def _type(path: Path) -> str:
    if path.suffix == ".webmanifest":
        return "application/manifest+json"
    if path.suffix == ".js":
        return "text/javascript; charset=utf-8"
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return guessed + ("; charset=utf-8" if guessed.startswith("text/") else "")


@lru_cache(maxsize=1)
def shell() -> dict[str, Asset]:
    """Every file of the shell by its name under /app/ (own files and vendored libraries)."""
    assets = {a.name: a for a in _own_files()}
    for name, path in VENDOR.items():
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run `make deps` (npm ci) first")
        assets[name] = Asset(name, path, "text/javascript; charset=utf-8")
    return assets


def version(extra: bytes = b"") -> str:
    """A short hash of every shell file (and `extra`: the catalogues and settings the shell loads)."""
    digest = hashlib.sha256(extra)
    for name, asset in sorted(shell().items()):
        digest.update(name.encode() + b"\0" + asset.path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def service_worker(precache: list[str], ver: str) -> str:
    """sw.js with its version and the URLs to precache filled in."""
    text = (FIELDKIT / "sw.js").read_text(encoding="utf-8")
    return (text.replace('"%VERSION%"', json.dumps(ver))
                .replace('["%PRECACHE%"]', json.dumps(precache, ensure_ascii=False)))
