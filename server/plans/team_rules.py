"""The plan's team rules applied to a hand-picked team (改派): what the draw would have required of it."""
from __future__ import annotations

from datetime import date

from i18n import t
from server import clock
from server.plans import availability, certificates
from schemas.plan_rules import region_prefix


def person_problem(person: dict | None, pid: str, enterprise: dict, task: dict, plan: dict) -> str | None:
    """Why this person may not join this task's team under its plan's rules, or None."""
    team = plan["rules"]["team"]
    if not person or person.get("type") != "inspector":
        return t("task.not_an_active_inspector", person=pid)
    name = person.get("name") or pid
    if person.get("kind", "inspector") != "inspector" or person.get("active", True) is False:
        return t("task.not_an_active_inspector", person=name)
    window = task.get("window") or {}
    if window and availability.on_leave(person, date.fromisoformat(window["start"]), date.fromisoformat(window["end"])):
        return t("task.on_leave", person=name)
    if certificates.expired(person, clock.today()):
        return t("task.certificate_expired", person=name, day=person["cert_expires"])
    if not str(person.get("region", "")).startswith(region_prefix(plan["author_region"])):
        return t("task.outside_plan_region", person=name)
    if team.get("cross_region") and person.get("region") == enterprise["region"]:
        return t("task.own_region", person=name)
    if team.get("require_qualification", True) and enterprise["industry"] not in person.get("sectors", []):
        return t("task.not_qualified", person=name)
    if any(a.get("uscc") == task["enterprise"] for a in person.get("avoid") or []):
        return t("task.avoidance", person=name)
    return None


def team_problems(people: dict[str, dict], ids: list[str], enterprise: dict, task: dict, plan: dict) -> list[str]:
    """Every reason the proposed inspectors break the plan's rules (size, region, qualification, 回避)."""
    unique = list(dict.fromkeys(ids))
    problems = [p for p in (person_problem(people.get(pid), pid, enterprise, task, plan) for pid in unique) if p]
    needed = plan["rules"]["team"].get("inspectors", 2)
    if len(unique) < needed:
        problems.append(t("task.team_size", needed=needed))
    return problems
