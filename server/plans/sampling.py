"""Which enterprises a draw visits (随机抽取检查对象): scope, targeted list, annual caps, per-tier samples."""
from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

from schemas.plan_rules import TARGETED, region_prefix
from server.plans.errors import DrawError


def below(rng: random.Random, n: int) -> int:
    """A uniform integer in [0, n) built on getrandbits alone.

    `random.sample`/`randrange` have changed between Python releases; getrandbits on a seeded Mersenne
    Twister has not, and a draw must re-verify years later on whatever Python runs then.
    """
    bits = n.bit_length()
    value = rng.getrandbits(bits)
    while value >= n:
        value = rng.getrandbits(bits)
    return value


def sample(rng: random.Random, items: list, k: int) -> list:
    """k items without replacement, in drawn order (partial Fisher-Yates on a copy)."""
    pool = list(items)
    for i in range(min(k, len(pool))):
        j = i + below(rng, len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def tier_target(tier: dict, population: int) -> int:
    """How many of a tier's population the plan asks for, with the tier's rounding rule.

    Exact arithmetic: 0.2 × 15 in floats is 3.0000000000000004, which ceil would turn into 4.
    """
    if tier["count"] is not None:
        return min(tier["count"], population)
    exact = Fraction(Decimal(repr(tier["proportion"]))) * population
    if tier["rounding"] == "floor":
        return math.floor(exact)
    if tier["rounding"] == "half_up":
        return math.floor(exact + Fraction(1, 2))
    return math.ceil(exact)


def annual_cap(enterprise: dict, caps: dict) -> int:
    row = caps["sectors"].get(enterprise["industry"], caps["default"])
    return row.get(enterprise.get("std_level") or "none", row["none"])


def _compile_tier(tier: dict) -> tuple:
    return tuple(frozenset(tier[key]) or None for key in ("risk", "std_level", "credit"))


def _tier_of(values: tuple, compiled: list[tuple]) -> int | None:
    """The first tier whose selectors all match (tiers partition the register, in plan order)."""
    for index, selectors in enumerate(compiled):
        if all(allowed is None or value in allowed for allowed, value in zip(selectors, values)):
            return index
    return None


def _over_cap(enterprise: dict, caps: dict, counts: dict, tier: str) -> dict | None:
    cap = annual_cap(enterprise, caps)
    count = counts.get(enterprise["uscc"], 0)
    if count >= cap:
        return {"enterprise": enterprise["uscc"], "reason": "annual_cap", "count": count, "cap": cap, "tier": tier}
    return None


class _Classifier:
    """Sorts each enterprise into out of scope, targeted, one tier, or none, in one pass over the pool."""

    def __init__(self, rules: dict):
        self.prefixes = tuple(region_prefix(code) for code in rules["scope"]["regions"])
        self.sectors = frozenset(rules["scope"]["sectors"])
        self.named = frozenset(rules["targeted"]["uscc"])
        self.flags = frozenset(rules["targeted"]["flags"])
        self.tiers = [_compile_tier(tier) for tier in rules["tiers"]]
        self.memo: dict[tuple, int | None] = {}  # few (risk, level, credit) combinations, many enterprises

    def run(self, enterprises: list[dict]) -> tuple[list[dict], list[list[dict]]]:
        targeted: list[dict] = []
        members: list[list[dict]] = [[] for _ in self.tiers]
        prefixes, sectors, named, flags, memo = self.prefixes, self.sectors, self.named, self.flags, self.memo
        for e in enterprises:
            if (not e["region"].startswith(prefixes) or (sectors and e["industry"] not in sectors)
                    or e.get("active") is False):
                continue
            if e["uscc"] in named or (flags and e.get("flags") and not flags.isdisjoint(e["flags"])):
                targeted.append(e)
                continue
            values = (e.get("risk"), e.get("std_level") or "none", e.get("credit") or "")
            if values not in memo:
                memo[values] = _tier_of(values, self.tiers)
            if memo[values] is not None:
                members[memo[values]].append(e)
        return targeted, members

    def check_named(self, targeted: list[dict], pool_ids: set) -> None:
        """Every named target must exist in the register and lie within the plan's scope."""
        missing = self.named.difference(e["uscc"] for e in targeted)
        for uscc in sorted(missing):
            code = "draw.targeted_out_of_scope" if uscc in pool_ids else "draw.targeted_unknown"
            raise DrawError(code, enterprise=uscc)


def _take_targeted(targeted: list[dict], rules: dict, cap_counts: dict) -> tuple[list, list]:
    chosen, skipped = [], []
    for enterprise in targeted:
        over = None
        if rules["targeted"]["apply_caps"]:
            over = _over_cap(enterprise, rules["caps"], cap_counts, TARGETED)
        if over:
            skipped.append(over)
        else:
            chosen.append((enterprise, TARGETED))
    return chosen, skipped


def _sample_tier(tier: dict, population: list[dict], caps: dict, cap_counts: dict,
                 rng: random.Random) -> tuple[list[dict], list[dict], dict]:
    eligible, skipped = [], []
    lowest = min(min(row.values()) for row in [caps["default"], *caps["sectors"].values()])
    for enterprise in population:
        # Most enterprises have no visit yet: skip the cap lookup when no cap could be reached.
        over = None
        if cap_counts.get(enterprise["uscc"], 0) >= lowest:
            over = _over_cap(enterprise, caps, cap_counts, tier["name"])
        if over:
            skipped.append(over)
        else:
            eligible.append(enterprise)
    target = tier_target(tier, len(population))
    drawn = sample(rng, eligible, min(target, len(eligible)))
    summary = {"tier": tier["name"], "population": len(population), "capped": len(skipped),
               "target": target, "drawn": len(drawn)}
    return drawn, skipped, summary


def select_targets(enterprises: list[dict], pool_ids: set, rules: dict, cap_counts: dict,
                   rng: random.Random) -> tuple[list[tuple[dict, str]], list[dict], list[dict]]:
    """(enterprise, tier) pairs in staffing order, enterprises skipped for their cap, a summary per tier.

    A tier's target is computed on its whole population (the register's share the plan asks for);
    enterprises at their cap are then left out and the sample shrinks only if too few remain.
    Targeted enterprises are taken out of the tiers so nobody is drawn twice. Scope means: an active
    enterprise under one of the plan's regions and, when sectors are given, in one of them.
    """
    classifier = _Classifier(rules)
    targeted, members = classifier.run(enterprises)
    classifier.check_named(targeted, pool_ids)
    chosen, skipped = _take_targeted(targeted, rules, cap_counts)
    summary = []
    for tier, population in zip(rules["tiers"], members):
        drawn, capped, counts = _sample_tier(tier, population, rules["caps"], cap_counts, rng)
        chosen.extend((enterprise, tier["name"]) for enterprise in drawn)
        skipped.extend(capped)
        summary.append(counts)
    return chosen, skipped, summary
