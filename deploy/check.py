"""`make deploy-check`: render the production configuration into a scratch directory and check it offline.

nginx -t reads the site file under a minimal main block with a throwaway self-signed certificate;
`systemd-analyze verify` checks the units where systemd's tools are installed. Exit 0 when all pass.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from string import Template

from deploy.render import ROOT, TEMPLATES, render

CHECK_SECRETS = {"COUCH_UUID": "0" * 32, "COUCH_SECRET": "check-only-secret", "COUCH_ADMIN_PASSWORD": "check-only"}


def throwaway_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=inspection.invalid", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def check_nginx(directory: Path) -> list[str]:
    main = Template((TEMPLATES / "nginx-main.conf").read_text()).substitute(CHECK_DIR=str(directory))
    (directory / "nginx.conf").write_text(main)
    done = subprocess.run(["nginx", "-t", "-q", "-p", str(directory), "-c", str(directory / "nginx.conf")],
                          capture_output=True, text=True)
    return [] if done.returncode == 0 else [f"nginx -t: {done.stderr.strip()}"]


def check_units(directory: Path) -> list[str]:
    if not shutil.which("systemd-analyze"):
        print("deploy-check: systemd-analyze not installed, units not verified")
        return []
    units = [str(directory / n) for n in ("inspection-edge.service", "inspection-pool.service",
                                          "inspection-worker.service")]
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True)
    # Offline (a build machine, a container) the host's own units may be missing; only our units count.
    ours = [line for line in done.stderr.splitlines() if "inspection-" in line and "User" not in line]
    return [f"systemd-analyze: {line}" for line in ours]


def run(env: dict[str, str]) -> list[str]:
    """Every problem found (empty when the configuration is sound)."""
    with tempfile.TemporaryDirectory(prefix="deploy-check-") as tmp:
        directory = Path(tmp)
        cert, key = throwaway_certificate(directory)
        env = {**env, **CHECK_SECRETS, "TLS_CERT": str(cert), "TLS_KEY": str(key), "APP_ROOT": str(ROOT)}
        render(env, directory)
        return check_nginx(directory) + check_units(directory)


def main() -> int:
    problems = run({})
    for line in problems:
        print(line, file=sys.stderr)
    print("deploy-check: " + ("FAILED" if problems else "nginx site and systemd units are valid"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
