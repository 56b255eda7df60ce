"""Benchmark of the 双随机 draw on synthetic registers: `--enterprises N --inspectors M`, or `--scale`.

Memory is the growth of the process's peak RSS (getrusage ru_maxrss) across the draw alone: the pools
are built first, so their memory is in the baseline; ru_maxrss never falls, so only new peak counts.
"""
from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import draw_pools  # noqa: E402  (sibling module; bench/ is sys.path[0] when run as a script)

from server.plans.draw import draw, verify  # noqa: E402

SEED = bytes(range(32))
SCALE = (10_000, 100_000, 1_000_000)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def run(n_enterprises: int, n_inspectors: int, check: bool) -> tuple[float, float]:
    started = time.perf_counter()
    pools = draw_pools.pools(n_enterprises, n_inspectors)
    rules = draw_pools.plan_rules()
    print(f"generated {n_enterprises} enterprises, {n_inspectors} people, {len(pools['history'])} history "
          f"entries in {time.perf_counter() - started:.1f}s; rss={current_rss_mb():.0f}MB", flush=True)
    gc.collect()
    before = peak_rss_mb()
    started = time.perf_counter()
    result = draw(pools, rules, SEED)
    seconds = time.perf_counter() - started
    grown = max(0.0, peak_rss_mb() - before)
    per_tier = ", ".join(f"{t['tier']}={t['drawn']}/{t['population']}" for t in result.tiers)
    print(f"tasks={len(result.tasks)} exclusions={len(result.exclusions)} capped={len(result.skipped)} "
          f"[{per_tier}]")
    if check:
        started = time.perf_counter()
        identical, _ = verify(result.record, pools, rules)
        print(f"verify identical={identical} in {time.perf_counter() - started:.2f}s")
    return seconds, grown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--inspectors", type=int, default=3000)
    parser.add_argument("--scale", action="store_true", help="time 10k, 100k and 1M enterprises")
    parser.add_argument("--verify", action="store_true", help="also time verify() on the result")
    args = parser.parse_args(argv)
    print("peak_mb = growth of peak RSS (getrusage ru_maxrss) across the draw call")
    if args.scale:
        for n in SCALE:
            seconds, grown = run(n, args.inspectors, args.verify)
            print(f"enterprises={n} draw_seconds={seconds:.2f} peak_mb={grown:.0f}", flush=True)
        return 0
    seconds, grown = run(args.enterprises, args.inspectors, args.verify)
    print(f"draw_seconds={seconds:.2f} peak_mb={grown:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
