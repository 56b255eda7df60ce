"""Who goes where (随机匹配执法人员): a team per task, least-loaded first, exclusions applied before the pick."""
from __future__ import annotations

import random

from schemas import sectors
from server.plans.errors import DrawError
from server.plans.sampling import below

ANY_SECTOR = "*"
PROBES = 8  # random tries at one load level before scanning it whole


class LoadIndex:
    """Active people of one kind, grouped by sector and bucketed by tasks taken so far in this draw.

    Picking "random among the least loaded" is then a few random probes into the lowest bucket instead
    of a scan of everyone for every task (which would be tasks × people).
    """

    def __init__(self, people: list[dict], require_qualification: bool):
        self.ids = [p["_id"] for p in people]
        self.region = [p.get("region") for p in people]
        self.keys = [tuple(sorted(set(p.get("sectors") or ()))) if require_qualification else (ANY_SECTOR,)
                     for p in people]
        self.load = [0] * len(people)
        # Tasks a person may still take (availability); None: no cap. Absent from older snapshots.
        self.capacity = [p.get("capacity") for p in people]
        self.levels: dict[str, list[list[int]]] = {}
        self.where: dict[str, dict[int, int]] = {}
        for idx, keys in enumerate(self.keys):
            for key in keys:
                self._add(key, idx, 0)

    def _add(self, key: str, idx: int, level: int) -> None:
        levels = self.levels.setdefault(key, [])
        while len(levels) <= level:
            levels.append([])
        self.where.setdefault(key, {})[idx] = len(levels[level])
        levels[level].append(idx)

    def bump(self, idx: int) -> None:
        """One more task for this person: move them one bucket up in every sector they serve."""
        level = self.load[idx]
        for key in self.keys[idx]:
            levels, where = self.levels[key], self.where[key]
            bucket = levels[level]
            pos, last = where[idx], bucket.pop()
            if last != idx:  # swap-remove keeps removal O(1); the order stays deterministic
                bucket[pos] = last
                where[last] = pos
            if len(levels) == level + 1:
                levels.append([])
            where[idx] = len(levels[level + 1])
            levels[level + 1].append(idx)
        self.load[idx] = level + 1

    def pick(self, key: str, rejected, rng: random.Random) -> int | None:
        """A uniformly random acceptable person among the least loaded who serve `key`, or None."""
        for bucket in self.levels.get(key, ()):
            if not bucket:
                continue
            for _ in range(PROBES):
                idx = bucket[below(rng, len(bucket))]
                if not rejected(idx):
                    return idx
            acceptable = [idx for idx in bucket if not rejected(idx)]
            if acceptable:
                return acceptable[below(rng, len(acceptable))]
        return None


class Staffer:
    """Builds each task's team from the active pool, recording why people were left out."""

    def __init__(self, people: list[dict], rules: dict, last_teams: dict[str, set]):
        self.team = rules["team"]
        self.people = people
        # An expired 执法证 (flagged in the pool snapshot) keeps its holder out, like an inactive person.
        # So does a leave covering the whole period or a full workload (availability.py).
        active = [p for p in people if p.get("active", True) is not False and not p.get("cert_expired")
                  and not p.get("unavailable")]
        qualification = self.team["require_qualification"]
        self.index = {kind: LoadIndex([p for p in active if (p.get("kind") or "inspector") == kind], qualification)
                      for kind in ("inspector", "expert")}
        self.avoid: dict[str, dict[str, str]] = {}
        for person in people:
            for entry in person.get("avoid") or ():
                self.avoid.setdefault(entry["uscc"], {})[person["_id"]] = entry.get("reason", "")
        self.last_teams = last_teams if self.team["avoid_repeat"] else {}

    def staff(self, enterprise: dict, rng: random.Random) -> tuple[list[str], list[str]]:
        """(inspector ids, expert ids) for one enterprise; DrawError when the team cannot be made up."""
        inspectors = self._fill("inspector", enterprise, self.team["inspectors"], rng)
        experts = self._fill("expert", enterprise, self.team["experts"], rng)
        return inspectors, experts

    def _fill(self, kind: str, enterprise: dict, needed: int, rng: random.Random) -> list[str]:
        index = self.index[kind]
        key = enterprise["industry"] if self.team["require_qualification"] else ANY_SECTOR
        county = enterprise["region"] if self.team["cross_region"] else None
        avoided = self.avoid.get(enterprise["uscc"], {})
        last = self.last_teams.get(enterprise["uscc"], ())
        chosen: set[int] = set()

        def barred(idx: int) -> bool:
            full = index.capacity[idx] is not None and index.load[idx] >= index.capacity[idx]
            return idx in chosen or index.region[idx] == county or index.ids[idx] in avoided or full

        def barred_or_repeat(idx: int) -> bool:
            return barred(idx) or index.ids[idx] in last

        for _ in range(needed):
            # "Different people each time" first, balanced load second; a repeat only if nobody else can go.
            idx = index.pick(key, barred_or_repeat, rng) if last else None
            if idx is None:
                idx = index.pick(key, barred, rng)
            if idx is None:
                raise self._understaffed(kind, enterprise, needed)
            chosen.add(idx)
        for idx in sorted(chosen):
            index.bump(idx)
        return sorted(index.ids[idx] for idx in chosen)

    def _understaffed(self, kind: str, enterprise: dict, needed: int) -> DrawError:
        """Say how the pool shrank for this enterprise, so the planner knows which rule to relax."""
        index = self.index[kind]
        key = enterprise["industry"] if self.team["require_qualification"] else ANY_SECTOR
        qualified = [idx for idx, keys in enumerate(index.keys) if key in keys]
        local = {idx for idx in qualified if self.team["cross_region"] and index.region[idx] == enterprise["region"]}
        avoided_ids = self.avoid.get(enterprise["uscc"], {})
        avoided = [idx for idx in qualified if idx not in local and index.ids[idx] in avoided_ids]
        return DrawError(f"draw.understaffed.{kind}", enterprise=enterprise["uscc"],
                         name=enterprise.get("name") or "", sector=enterprise["industry"],
                         sector_zh=sectors.label(enterprise["industry"], "zh_CN"),
                         sector_en=sectors.label(enterprise["industry"], "en"), needed=needed,
                         qualified=len(qualified), own_region=len(local), avoided=len(avoided),
                         left=len(qualified) - len(local) - len(avoided))

    def pool_exclusions(self, targets: list[tuple[dict, str]]) -> list[dict]:
        """Exclusions that hold for the whole draw, recorded once per person (not once per task)."""
        counties = {e["region"] for e, _ in targets} if self.team["cross_region"] else set()
        sectors = {e["industry"] for e, _ in targets} if self.team["require_qualification"] else set()
        out = []
        for person in sorted(self.people, key=lambda p: p["_id"]):
            base = {"inspector": person["_id"], "enterprise": None, "kind": person.get("kind") or "inspector"}
            if person.get("active", True) is False:
                out.append({**base, "reason": "inactive"})
                continue
            if person.get("cert_expired"):
                out.append({**base, "reason": "certificate_expired"})
                continue
            if person.get("unavailable"):
                out.append({**base, "reason": person["unavailable"]})
                continue
            if person.get("region") in counties:
                out.append({**base, "reason": "own_region", "region": person["region"]})
            missing = sorted(sectors.difference(person.get("sectors") or ()))
            if missing:
                out.append({**base, "reason": "unqualified", "sectors": missing})
        return out

    def avoidance(self, enterprise: dict) -> list[dict]:
        """Declared conflicts of interest (回避) with this task's enterprise, recorded with the task."""
        pairs = self.avoid.get(enterprise["uscc"], {})
        return [{"inspector": pid, "enterprise": enterprise["uscc"], "reason": "avoidance", "detail": pairs[pid]}
                for pid in sorted(pairs)]
