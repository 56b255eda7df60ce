"""The sync figures of issue 4 in one run: gateway overhead, worker ingest rate, thumbnail speedup.

    python bench/sync.py

Last three lines: gateway_overhead=<gateway time / direct time>, ingest_docs_per_s=<n>,
thumbnail_speedup=<plain time / project time>. Each part compares with its baseline in the same run;
the parts are also runnable alone (bench/sync_gateway.py, bench/ingest.py, bench/photos.py).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import ingest  # noqa: E402
import photos  # noqa: E402
import sync_gateway  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--photos", type=int, default=100)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--thumbnails", type=int, default=200)
    args = ap.parse_args()
    gateway = sync_gateway.measure(args.docs, args.photos)
    print(f"replication of {args.docs} docs + {args.photos} photos, push and pull: gateway "
          f"{gateway['gateway_s']:.2f}s, direct {gateway['direct_s']:.2f}s "
          f"(push {gateway['push_overhead']:.2f}, pull {gateway['pull_overhead']:.2f})")
    filed = ingest.measure(args.records)
    print(f"ingest: {filed['filed']} of {filed['records']} records filed in {filed['seconds']:.1f}s")
    thumbs = photos.measure(args.thumbnails)
    print(f"thumbnails: project {thumbs['project_s']:.2f}s, full decode + resize {thumbs['plain_s']:.2f}s "
          f"(against full decode + Image.thumbnail: {thumbs['speedup_vs_pillow_thumbnail']:.2f})")
    print(f"gateway_overhead={gateway['gateway_overhead']:.2f}")
    print(f"ingest_docs_per_s={filed['docs_per_s']:.0f}")
    print(f"thumbnail_speedup={thumbs['thumbnail_speedup']:.2f}")


if __name__ == "__main__":
    main()
