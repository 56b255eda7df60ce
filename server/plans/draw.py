"""The 双随机 draw as a pure function: pools + plan rules + seed → tasks and a record that `verify` recomputes."""
from __future__ import annotations

import gc
import hashlib
import json
import random
import secrets
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from marshmallow import ValidationError

from schemas.common import translate_errors
from schemas.plan_rules import PlanRulesSchema
from server.plans.errors import DrawError
from server.plans.draw_input import POOLS, canonical, prepare_pools, sha256
from server.plans.sampling import select_targets
from server.plans.staffing import Staffer

__all__ = ["ALGORITHM_VERSION", "DrawError", "DrawResult", "draw", "verify", "new_seed", "canonical"]

# Bump whenever any change could alter a result for the same inputs: old records then say which
# algorithm made them instead of silently failing to verify.
ALGORITHM_VERSION = "draw-1"
SEED_BYTES = (16, 64)


@dataclass(frozen=True)
class DrawResult:
    tasks: list[dict]
    exclusions: list[dict]
    skipped: list[dict]
    tiers: list[dict]
    record: dict = field(default_factory=dict)

    def body(self) -> dict:
        return {"tasks": self.tasks, "exclusions": self.exclusions, "skipped": self.skipped, "tiers": self.tiers}

    def as_dict(self) -> dict:
        return {**self.body(), "record": self.record}


def new_seed() -> bytes:
    """A fresh 32-byte seed from the OS's CSPRNG. Not pure: call it once, then store the seed with the plan."""
    return secrets.token_bytes(32)


def _load_rules(rules) -> tuple[dict, str]:
    if not isinstance(rules, dict):
        raise DrawError("draw.bad_rules", detail="-")
    try:
        loaded = PlanRulesSchema().load(rules)
        return loaded, sha256(canonical(rules))
    except ValidationError as exc:
        errors = translate_errors(exc.messages)
        raise DrawError("draw.bad_rules", detail=json.dumps(errors, ensure_ascii=False)[:500], errors=errors) from exc
    except (TypeError, ValueError) as exc:
        raise DrawError("draw.bad_rules", detail=str(exc)[:200]) from exc


def _history_facts(history: list[dict]) -> tuple[Counter, dict[str, set]]:
    """Inspections that count toward each enterprise's cap, and who inspected it last time."""
    counts: Counter = Counter(h["enterprise"] for h in history if h["counts_toward_cap"])
    latest: dict[str, tuple[str, set]] = {}
    for h in history:
        date, team = latest.get(h["enterprise"], ("", set()))
        if h["date"] > date:
            latest[h["enterprise"]] = (h["date"], set(h["inspectors"]))
        elif h["date"] == date:
            team.update(h["inspectors"])  # two visits on the same last day: both teams were "last time"
    return counts, {uscc: team for uscc, (_, team) in latest.items()}


def _rng(seed: bytes) -> random.Random:
    digest = hashlib.sha256(seed + ALGORITHM_VERSION.encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


@contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector for the draw, restoring it afterwards.

    The draw makes no reference cycles, but it allocates many small containers, and each full
    collection would walk every object of a 100k-enterprise pool again (about a third of the run time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def draw(pools: dict, rules: dict, seed: bytes) -> DrawResult:
    """Draw a plan: which enterprises (per tier and targeted) and which team for each.

    Pure and deterministic: the same pools (in any order), rules and seed give the same result and record.
    """
    with _collector_paused():
        return _draw(pools, rules, seed)


def _draw(pools: dict, rules: dict, seed: bytes) -> DrawResult:
    if not isinstance(seed, bytes) or not SEED_BYTES[0] <= len(seed) <= SEED_BYTES[1]:
        raise DrawError("draw.bad_seed", min=SEED_BYTES[0], max=SEED_BYTES[1])
    loaded, rules_hash = _load_rules(rules)
    prepared, pool_hashes = prepare_pools(pools)
    rng = _rng(seed)
    cap_counts, last_teams = _history_facts(prepared["history"])
    targets, skipped, tiers = select_targets(prepared["enterprises"], prepared["uscc"], loaded, cap_counts, rng)
    staffer = Staffer(prepared["inspectors"], loaded, last_teams)
    exclusions = staffer.pool_exclusions(targets)
    tasks = []
    for enterprise, tier in targets:
        inspectors, experts = staffer.staff(enterprise, rng)
        tasks.append({"enterprise": enterprise["uscc"], "tier": tier, "inspectors": inspectors, "experts": experts})
        exclusions.extend(staffer.avoidance(enterprise))
    result = DrawResult(tasks, exclusions, skipped, tiers)
    record = {"algorithm": ALGORITHM_VERSION, "seed": seed.hex(), "pools": pool_hashes, "rules": rules_hash,
              "result": sha256(canonical(result.body())), "tasks": len(tasks)}
    # The digest binds the seed to the rest: a record whose seed was edited no longer verifies.
    record["digest"] = sha256(canonical(record))
    return DrawResult(tasks, exclusions, skipped, tiers, record)


def verify(record: dict, pools: dict, rules: dict, stored: dict | None = None) -> tuple[bool, dict]:
    """Recompute a draw from its record's seed and compare every hash and, given the stored draw, its
    tasks, teams, exclusions, skips and tiers too; (identical, what differed)."""
    if not isinstance(record, dict):
        return False, {"mismatches": ["record"]}
    if record.get("algorithm") != ALGORITHM_VERSION:
        return False, {"mismatches": ["algorithm"], "expected": record.get("algorithm"), "have": ALGORITHM_VERSION}
    try:
        seed = bytes.fromhex(record.get("seed") or "")
        recomputed = draw(pools, rules, seed)
        again = recomputed.record
    except (TypeError, ValueError) as exc:  # DrawError is a ValueError too
        code = getattr(exc, "code", "draw.bad_record")
        return False, {"mismatches": ["recompute"], "error": code}
    mismatches = [f"pools.{name}" for name in POOLS if record.get("pools", {}).get(name) != again["pools"][name]]
    mismatches += [key for key in ("rules", "result", "tasks", "digest") if record.get(key) != again[key]]
    if stored is not None:  # the record's hashes alone would not see a team swapped in the stored result
        mismatches += [f"stored.{part}" for part, value in recomputed.body().items()
                       if canonical(stored.get(part)) != canonical(value)]
    return not mismatches, {"mismatches": mismatches, "recomputed": again}
