"""Why a targeted check (重点检查) happens, and whether it counts against the annual cap (DOMAIN.md):
checks caused by a complaint, a referral or a re-inspection do not; accident- or penalty-driven checks,
and those with no stated cause, do. Random checks always count."""
from __future__ import annotations

CAUSES = ("complaint", "referral", "reinspection", "accident", "penalty", "other")
EXEMPT = frozenset({"complaint", "referral", "reinspection"})


def targeted_causes(enterprise: dict, rules: dict) -> list[str]:
    """The causes of a targeted check: the plan's flags the enterprise carries, and the plan's stated
    cause when it names the enterprise."""
    targeted = rules.get("targeted") or {}
    causes = set(targeted.get("flags") or ()) & set(enterprise.get("flags") or ())
    if enterprise["uscc"] in (targeted.get("uscc") or ()):
        causes.add(targeted.get("cause") or "other")
    return sorted(causes or {"other"})


def counts_toward_cap(tier: str, enterprise: dict, rules: dict) -> tuple[bool, list[str]]:
    """(counts, causes) for one drawn task."""
    if tier != "targeted":
        return True, ["random"]
    causes = targeted_causes(enterprise, rules)
    forced = (rules.get("targeted") or {}).get("apply_caps", False)
    return forced or any(c not in EXEMPT for c in causes), causes
