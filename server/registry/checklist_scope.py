"""Who may publish which checklist template (检查表分级): the pure rule, and the level a new version keeps.

Levels: `builtin` (the shipped national standards in data/checklists, and any template published before
levels existed), `province`, `city`, `county` — the level of the region that owns the template. A new
version keeps its template's level and owner region. Built-in and province templates are published only
by admins of a province; city templates only by admins of that city; county templates by the admins and
supervisors of that county alone, so a county never changes another's and a supervisor never changes a
template every county's tasks use. A new key belongs to the publisher's own region and level."""
from __future__ import annotations

from i18n import t
from server.accounts import roles
from server.errors import ApiError

LEVELS = ("builtin", "province", "city", "county")


def level_of_region(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def owner_of(template: dict | None, user: dict) -> tuple[str, str | None]:
    """(level, owner region) of the template a new version would belong to."""
    if template is None:
        return level_of_region(user["region"]), user["region"]
    level = template.get("level")
    if level not in LEVELS or level == "builtin":
        return "builtin", None
    return level, template.get("owner_region")


def may_publish(user: dict, level: str, owner_region: str | None) -> bool:
    role, region = user["role"], user.get("region") or ""
    if level == "builtin":
        return role == roles.ADMIN and level_of_region(region) == "province"
    if level in ("province", "city"):
        return role == roles.ADMIN and region == owner_region
    return role in roles.STAFF and region == owner_region


def check_publish(user: dict, template: dict | None) -> dict:
    """The fields a new version carries ({"level", "owner_region"}), or 403 saying who may publish it."""
    level, owner = owner_of(template, user)
    if may_publish(user, level, owner):
        return {"level": level, "owner_region": owner}
    if level == "county":
        raise ApiError("forbidden", message=t("checklist_scope.other_county"))
    publisher_level = "province" if level == "builtin" else level   # built-in: a province's admins
    raise ApiError("forbidden", message=t("checklist_scope.forbidden_level",
                                          level=t(f"checklist_scope.level.{publisher_level}")))
