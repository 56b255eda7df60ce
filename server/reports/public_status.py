"""What the receipt-code page may say about a report: its progress in words for the public, nothing else.

No triage reason, department, duplicate, team, site id or identity is shown: only the status in plain
words and, once the verification is done, the outcome text written for the public (outcome.public_text_*,
set by the verify branch's server/reports/outcome). Everything else of the report stays inside.
"""
from __future__ import annotations

from i18n import current_locale

PUBLIC_STATUS = {"received": "report.public.received", "not_safety": "report.public.not_safety",
                 "referred": "report.public.referred", "verifying": "report.public.verifying",
                 "verified_true": "report.public.verified_true", "verified_false": "report.public.verified_false"}


def public_view(doc: dict) -> dict:
    """{status_key, outcome_text, received_at} of a report for its reporter."""
    outcome = doc.get("outcome") or {}
    field = "public_text_en" if current_locale.get() == "en" else "public_text_zh"
    text = outcome.get(field) or outcome.get("public_text_zh") or ""
    return {"status_key": PUBLIC_STATUS.get(doc.get("status"), "report.public.received"),
            "outcome_text": str(text)[:2000] if isinstance(text, str) else "",
            "received_at": doc.get("received_at", "")}
