"""Sum a V8 .cpuprofile (bench/pouchdb_profile.js writes one): self and inclusive time by package
(node_modules/<pkg>), self time by function.

    python bench/cpuprofile_summary.py /tmp/pouch.cpuprofile
"""
import collections
import json
import re
import sys


def package(frame: dict) -> str:
    url = frame.get("url", "")
    found = re.findall(r"node_modules/((?:@[^/]+/)?[^/]+)", url)
    return found[-1] if found else (url.rsplit("/", 1)[-1] or frame["functionName"] or "(native)")


def main(path: str) -> None:
    profile = json.load(open(path))
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {child: n["id"] for n in profile["nodes"] for child in n.get("children", [])}
    self_time = collections.Counter()
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"]):
        self_time[node_id] += delta
    total = sum(self_time.values()) or 1
    by_package, by_function, inclusive = collections.Counter(), collections.Counter(), collections.Counter()
    for node_id, spent in self_time.items():
        frame = nodes[node_id]["callFrame"]
        by_package[package(frame)] += spent
        by_function[f'{frame["functionName"] or "(anonymous)"} {package(frame)}:{frame.get("lineNumber")}'] += spent
        on_stack, up = set(), node_id
        while up in nodes:   # each package on the sample's stack, once
            on_stack.add(package(nodes[up]["callFrame"]))
            up = parent.get(up)
        for name in on_stack:
            inclusive[name] += spent
    print(f"{total / 1e6:.1f} s sampled")
    for title, counter, rows in (("self, by package", by_package, 20), ("inclusive, by package", inclusive, 25),
                                 ("self, by function", by_function, 30)):
        print(f"-- {title}")
        for name, spent in counter.most_common(rows):
            print(f"{spent / total * 100:5.1f}% {name}")


if __name__ == "__main__":
    main(sys.argv[1])
