"""The new-plan form of the console: form fields → the API's plan body, eligible approvers, pool-size preview."""
from __future__ import annotations

import re

from marshmallow import ValidationError

from schemas.common import translate_errors
from schemas.plan_rules import DEFAULT_CAPS, RISKS, ROUNDINGS, STD_LEVELS, TARGET_FLAGS
from schemas.plans import PlanSchema
from server.accounts import roles
from server.plans import pools as pool_store
from server.plans.draw import draw, new_seed
from server.plans.errors import DrawError
from sync.couch import Database

TIER_ROWS = 4            # tier lines on the form; empty lines are ignored
MAX_FIELD = 20_000       # characters of one text field (a targeted list of ~1,000 codes)
SPLIT = re.compile(r"[\s,，、;；]+")


def _text(form, name: str, limit: int = 200) -> str:
    return (form.get(name) or "")[:MAX_FIELD].strip()[:limit]


def _codes(form, name: str, limit: int) -> list[str]:
    """A list typed as text (commas, spaces or new lines between items), in order, without repeats."""
    return list(dict.fromkeys(p for p in SPLIT.split(_text(form, name, MAX_FIELD)) if p))[:limit]


def _number(text: str):
    """An int when the text is one (short digits), else the text itself, for the schema to refuse."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 9 else text


def _percent(text: str):
    """'30' or '30%' → 0.3; anything else is passed on for the schema to refuse."""
    text = (text or "").strip().rstrip("%").strip()
    try:
        return round(float(text) / 100, 6) if len(text) < 12 else text
    except ValueError:
        return text


def _tier(form, n: int) -> dict | None:
    name = _text(form, f"tier{n}_name", 60)
    amount = _text(form, f"tier{n}_amount", 20)
    if not name and not amount:
        return None
    tier = {"name": name, "rounding": form.get(f"tier{n}_rounding") or "ceil",
            "risk": [v for v in form.getlist(f"tier{n}_risk") if v][:10],
            "std_level": [v for v in form.getlist(f"tier{n}_std") if v][:10]}
    if form.get(f"tier{n}_kind") == "count":
        tier["count"] = _number(amount)
    else:
        tier["proportion"] = _percent(amount)
    return tier


def _caps(form) -> dict:
    row = {level: _number(form.get(f"cap_{level}", str(DEFAULT_CAPS["default"][level]))) for level in STD_LEVELS}
    chem = {level: _number(form.get(f"capchem_{level}", str(DEFAULT_CAPS["sectors"]["hazardous_chemicals"][level])))
            for level in STD_LEVELS}
    return {"default": row, "sectors": {"hazardous_chemicals": chem}}


def body_from_form(form) -> dict:
    """The plan as POST /api/v1/plans takes it, built from the form's fields (not yet validated)."""
    publication = {}
    if _text(form, "publish_days", 4):
        publication = {"days": _number(form.get("publish_days")), "unit": form.get("publish_unit") or "working"}
    return {
        "name": _text(form, "name", 120),
        "period": {"start": _text(form, "period_start", 20), "end": _text(form, "period_end", 20)},
        "approver": _text(form, "approver", 40),
        "window_days": _number(form.get("window_days") or "14"),
        "publication": publication,
        "rules": {
            "scope": {"regions": _codes(form, "regions", 201), "sectors": [s for s in form.getlist("sectors") if s][:101]},
            "tiers": [t for t in (_tier(form, n) for n in range(1, TIER_ROWS + 1)) if t],
            "targeted": {"uscc": _codes(form, "targeted_uscc", 10_001),
                         "flags": [f for f in form.getlist("targeted_flags") if f][:10],
                         "apply_caps": form.get("targeted_apply_caps") == "on"},
            "caps": _caps(form),
            "team": {"inspectors": _number(form.get("team_inspectors") or "2"),
                     "experts": _number(form.get("team_experts") or "0"),
                     "require_qualification": form.get("require_qualification") == "on",
                     "cross_region": form.get("cross_region") == "on",
                     "avoid_repeat": form.get("avoid_repeat") == "on"},
        },
    }


def validate(body: dict) -> tuple[dict | None, dict | None]:
    """(the loaded plan, None) or (None, errors in the reader's language, keyed like the body)."""
    try:
        return PlanSchema().load(body), None
    except ValidationError as exc:
        return None, translate_errors(exc.messages)


def eligible_approvers(db: Database, user: dict, regions: list[str]) -> list[dict]:
    """Active supervisors and admins other than `user` whose region covers every region of the plan."""
    # `region` in the selector lets the (type, region) index serve it: only users are read, not the register.
    found = db.find({"type": "user", "region": {"$gt": None}, "role": {"$in": list(roles.STAFF)}}, limit=2000,
                    fields=["username", "display_name", "role", "region", "active"])
    wanted = regions or [user["region"]]
    return sorted((u for u in found if u.get("active", True) and u["username"] != user["username"]
                   and all(roles.in_scope(u, r) for r in wanted)),
                  key=lambda u: (u.get("region", ""), u["username"]))


def preview(db: Database, plan: dict, user: dict) -> dict:
    """Pool sizes per tier (population, at cap, target) for the form's rules, before anything is saved.

    It runs the pure draw on today's register with a throwaway seed and shows only counts, never who or
    which enterprise would be picked, so a preview cannot be used to choose a favourable draw.
    """
    dumped = PlanSchema().dump(plan)
    pools = pool_store.snapshot(db, {**dumped, "_id": "plan:preview"}, user["region"])
    try:
        result = draw(pools, dumped["rules"], new_seed())
    except DrawError as exc:
        return {"error": exc.message(), "enterprises": len(pools["enterprises"]),
                "inspectors": len(pools["inspectors"])}
    targeted = sum(1 for task in result.tasks if task["tier"] == "targeted")
    return {"tiers": result.tiers, "targeted": targeted, "capped": len(result.skipped),
            "enterprises": len(pools["enterprises"]), "inspectors": len(pools["inspectors"]),
            "tasks": len(result.tasks)}


CHOICES = {"risks": RISKS, "std_levels": STD_LEVELS, "roundings": ROUNDINGS, "flags": TARGET_FLAGS,
           "tier_rows": range(1, TIER_ROWS + 1)}
