"""Render the production configuration (nginx site, systemd units, CouchDB node settings) from templates.

`python -m deploy.render OUT_DIR` reads the values from the environment (see deploy/production.env.example)
and writes `inspection.conf`, the units `inspection-edge`, `-pool` and `-worker.service`, and `couchdb-node.ini`
into OUT_DIR; `make deploy-check` renders them into a scratch directory and checks them offline.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from string import Template

from server.fieldkit.views import CSP as FIELDKIT_CSP

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
OUTPUTS = {"nginx-site.conf": "inspection.conf", "inspection-edge.service": "inspection-edge.service",
           "inspection-pool.service": "inspection-pool.service",
           "inspection-worker.service": "inspection-worker.service", "couchdb-node.ini": "couchdb-node.ini"}
# What a value may be called in the environment, and its default where one is safe.
DEFAULTS = {
    "SERVER_NAME": "inspection.example.gov.cn", "APP_ROOT": str(ROOT), "UPSTREAM": "127.0.0.1:8000",
    "TLS_CERT": "/etc/ssl/inspection/fullchain.pem", "TLS_KEY": "/etc/ssl/inspection/privkey.pem",
    "RUN_USER": "inspection", "ENV_FILE": "/etc/inspection/inspection.env",
    "WEB_SOCKET": "/run/inspection/web.sock",
    "SLOW_READ_TIMEOUT_S": "330", "COUCH_BIND": "0.0.0.0", "COUCH_ADMIN_USER": "admin",
    "COUCH_MAX_REQUEST_BYTES": str(64 * 1024 * 1024),
}
REQUIRED_SECRETS = ("COUCH_UUID", "COUCH_SECRET", "COUCH_ADMIN_PASSWORD")


class RenderError(ValueError):
    """A value is missing or would break the file it goes into."""


def values(env: dict[str, str]) -> dict[str, str]:
    """Every template value: the environment's, else the default, plus values derived from the settings."""
    out = {k: env.get(k) or v for k, v in DEFAULTS.items()}
    for key in REQUIRED_SECRETS:
        out[key] = env.get(key, "")
    longpoll = int(env.get("SYNC_LONGPOLL_S") or 25)
    body_mb = max(int(env.get("SYNC_MAX_BODY_MB") or 20), int(env.get("IMPORT_MAX_MB") or 20))
    out["SYNC_READ_TIMEOUT_S"] = str(longpoll + 35)
    out["MAX_BODY_MB"] = str(body_mb)
    out["COUCH_MAX_DOC_BYTES"] = str(int(env.get("SYNC_MAX_DOC_MB") or 8) * 1024 * 1024)
    out["FIELDKIT_CSP"] = FIELDKIT_CSP
    for key, value in out.items():
        if any(ch in value for ch in "\n\r;{}\"") and key != "FIELDKIT_CSP":
            raise RenderError(f"{key} may not contain a newline, ';', '{{', '}}' or a quote: {value!r}")
    return out


def render(env: dict[str, str], out_dir: Path, need_secrets: bool = True) -> list[Path]:
    """Write every file into out_dir; refuses when a secret the cluster needs is missing."""
    vals = values(env)
    missing = [k for k in REQUIRED_SECRETS if not vals[k]]
    if missing and need_secrets:
        raise RenderError("missing in the environment: " + ", ".join(missing))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for template, name in OUTPUTS.items():
        text = Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(vals)
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m deploy.render OUT_DIR", file=sys.stderr)
        return 2
    try:
        for path in render(dict(os.environ), Path(argv[0])):
            print(path)
    except RenderError as exc:
        print(f"deploy.render: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
