"""Every reason the draw records for leaving a person or an enterprise out has a plain label in both
languages on the plan page (pc.excl.<reason>), never the internal code nor the catch-all sentence."""
import re
from pathlib import Path

import pytest
from flask import Flask, g

from i18n import catalogue
from server.plans.console_text import exclusion_text

PLANS = Path(__file__).resolve().parents[2] / "server" / "plans"
WRITTEN = [re.compile(r'"reason":\s*"([a-z_]+)"'), re.compile(r'\["unavailable"\]\s*=\s*"([a-z_]+)"')]


def recorded_reasons() -> set[str]:
    """The reason codes the draw's modules write into exclusions and skipped entries."""
    found = set()
    for path in PLANS.glob("*.py"):
        if path.name.startswith("console"):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in WRITTEN:
            found |= set(pattern.findall(text))
    return found


def test_the_scan_finds_the_known_reasons():
    assert {"annual_cap", "avoidance", "certificate_expired", "on_leave", "workload_full", "unqualified"} <= recorded_reasons()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_reason_has_a_plain_label(locale):
    app = Flask(__name__)
    entry = {"region": "370102", "sectors": ["machinery"], "detail": "亲属", "count": 1, "cap": 1, "tier": "一般"}
    with app.test_request_context():
        g.locale = locale
        fallback = exclusion_text({"reason": "no_such_reason"})
        for reason in sorted(recorded_reasons()):
            assert f"pc.excl.{reason}" in catalogue(locale), (locale, reason)
            text = exclusion_text({**entry, "reason": reason})
            assert text != fallback and reason not in text and "{" not in text, (locale, reason, text)
