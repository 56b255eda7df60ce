"""Plain words for the plan pages: exclusion reasons, tier and team rules, and form errors by field label."""
from __future__ import annotations

from flask import g

from i18n import catalogue, t
from schemas import regions
from schemas.sectors import label as sector_label


def _locale() -> str:
    return g.get("locale", "zh_CN")


def known(key: str) -> bool:
    return key in catalogue(_locale()) or key in catalogue("zh_CN")


def _region(code) -> str:
    name = regions.name(code) if isinstance(code, str) and len(code) == 6 and code.isdigit() else None
    return name or str(code or "—")


def exclusion_text(entry: dict) -> str:
    """Why a person or an enterprise was left out of the draw, in the reader's language; a reason this
    page does not know yet is said plainly rather than shown as a code."""
    reason = str(entry.get("reason") or "")
    key = f"pc.excl.{reason}"
    if not known(key):
        return t("pc.excl.other")
    sectors = "、".join(sector_label(s, _locale()) for s in entry.get("sectors") or [])
    return t(key, region=_region(entry.get("region")), sectors=sectors, detail=entry.get("detail") or "—",
             count=entry.get("count", ""), cap=entry.get("cap", ""), tier=entry.get("tier", ""))


def tier_text(tier: dict) -> str:
    """One tier as a sentence: who belongs, how many are drawn, how it is rounded."""
    who = [t(f"pc.risk.{r}") for r in tier.get("risk") or []] + [t(f"pc.std.{s}") for s in tier.get("std_level") or []]
    if tier.get("count") is not None:
        amount = t("pc.tier.count", n=tier["count"])
    else:
        amount = t("pc.tier.proportion", pct=round(float(tier.get("proportion") or 0) * 100, 2),
                   rounding=t(f"pc.rounding.{tier.get('rounding', 'ceil')}"))
    return t("pc.tier.line", name=tier.get("name", ""), who="、".join(who) or t("pc.tier.everyone"), amount=amount)


def team_text(team: dict) -> str:
    parts = [t("pc.team.size", inspectors=team.get("inspectors", 2), experts=team.get("experts", 0))]
    for flag in ("require_qualification", "cross_region", "avoid_repeat"):
        if team.get(flag):
            parts.append(t(f"pc.field.{flag}"))
    return t("pc.sep").join(parts)


def flat_errors(errors, path: tuple = ()) -> list[tuple[str, str]]:
    """Nested form errors as (field label, message) pairs, labels in plain words ("第 2 档 · 比例：")."""
    out: list[tuple[str, str]] = []
    if isinstance(errors, dict):
        for name, value in errors.items():
            out += flat_errors(value, path + (str(name),))
    elif isinstance(errors, (list, tuple)):
        for value in errors:
            out += flat_errors(value, path)
    else:
        out.append((_label(path), str(errors)))
    return out


def _label(path: tuple) -> str:
    words = []
    for part in path:
        if part.isdigit():
            words.append(t("pc.field.row", n=int(part) + 1))
        elif known(f"pc.field.{part}"):
            words.append(t(f"pc.field.{part}"))
    return (" · ".join(words) + "：") if words else ""


GLOBALS = {"exclusion_text": exclusion_text, "tier_text": tier_text, "team_text": team_text, "flat_errors": flat_errors}
