"""The enterprise portal never reads the `reports` database (whistleblower protection, issue 15): no module
of server/enterprise_portal names it or imports the reports package."""
from __future__ import annotations

import re
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "server" / "enterprise_portal"


def test_no_portal_module_touches_public_reports():
    sources = {p.name: p.read_text(encoding="utf-8") for p in PORTAL.glob("*.py")}
    assert len(sources) >= 8
    for name, text in sources.items():
        assert not re.search(r"""database\(\s*["']reports["']""", text), name
        assert "server.reports" not in text and "from server import reports" not in text, name
