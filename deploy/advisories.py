"""`make audit`: known advisories for the Python packages in .venv (pip-audit) and the npm packages (npm audit).

Exit 1 when an advisory names an installed version; exit 0 with a plain "could not check" when an advisory
source cannot be reached (as on machines that reach only the package registries), so that nobody reads
silence as "no advisories"; exit 2 when a tool is missing or answers something this script does not know."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE, CLEAN, FOUND, BROKEN = "unreachable", "clean", "found", "broken"


def python_audit() -> tuple[str, list[str]]:
    """pip-audit over the installed environment."""
    run = subprocess.run([sys.executable, "-m", "pip_audit", "--local", "--format", "json",
                          "--progress-spinner", "off"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    return classify_pip(run.stdout, run.stderr)


def classify_pip(stdout: str, stderr: str = "") -> tuple[str, list[str]]:
    """pip-audit's JSON → state and lines; every package skipped as 'not found' means no advisory source."""
    try:
        deps = json.loads(stdout)["dependencies"]
    except (ValueError, KeyError, TypeError):
        return (UNREACHABLE if "ConnectionError" in stderr or "HTTPError" in stderr else BROKEN,
                [stderr.strip()[-400:]])
    found = [f"{d['name']} {d.get('version', '?')}: {v['id']} (fixed in {', '.join(v.get('fix_versions') or ['?'])})"
             for d in deps for v in d.get("vulns") or []]
    audited = [d for d in deps if "skip_reason" not in d]
    if found:
        return FOUND, found
    if not audited:
        return UNREACHABLE, [f"{len(deps)} packages, none could be looked up ({deps[0]['skip_reason'] if deps else ''})"]
    skipped = [d["skip_reason"] for d in deps if "skip_reason" in d]
    return CLEAN, [f"{len(audited)} packages checked"] + ([f"not checked: {len(skipped)}"] if skipped else [])


def npm_audit() -> tuple[str, list[str]]:
    run = subprocess.run(["npm", "audit", "--json"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    return classify_npm(run.stdout, run.stderr)


def classify_npm(stdout: str, stderr: str = "") -> tuple[str, list[str]]:
    """npm audit's JSON → state and lines; an HTTP error from the advisory endpoint means no source."""
    try:
        report = json.loads(stdout or "{}")
    except ValueError:
        return BROKEN, [stderr.strip()[-400:]]
    if "vulnerabilities" not in report and ("statusCode" in report or "error" in report):
        return UNREACHABLE, [str(report.get("message") or report.get("error"))[:300]]
    counts = (report.get("metadata") or {}).get("vulnerabilities") or {}
    total = sum(v for k, v in counts.items() if k != "total" and isinstance(v, int))
    if total:
        return FOUND, [f"{name}: {info.get('severity')}" for name, info in (report.get("vulnerabilities") or {}).items()]
    return CLEAN, [f"{(report.get('metadata') or {}).get('dependencies', {}).get('total', '?')} packages checked"]


def main() -> int:
    results = {"Python (pip-audit)": python_audit(), "npm (npm audit)": npm_audit()}
    for name, (state, lines) in results.items():
        head = {UNREACHABLE: "advisory source could not be reached — NOT CHECKED",
                CLEAN: "no known advisories", FOUND: "ADVISORIES FOUND", BROKEN: "the audit tool failed"}[state]
        print(f"{name}: {head}")
        for line in lines:
            print(f"  {line}")
    states = {state for state, _ in results.values()}
    if FOUND in states:
        return 1
    if BROKEN in states:
        return 2
    if UNREACHABLE in states:
        print("Some advisory sources were unreachable: run `make audit` where they can be reached.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
