"""JSON nesting followed on raw bytes however they are cut, and on parsed values, without recursion."""
import json
import random

import pytest

from i18n import Problem
from server.gateway.body import BodyGuard
from sync.jsondepth import NestingScanner, TooDeep, check_text, depth_of

MB = 1024 * 1024
SAMPLES = [
    (b'{"a": [1, {"b": "x"}]}', 3),
    (b'{"s": "[[[[{{{{ not structure \\" ]]]] \\\\", "t": []}', 2),
    (b'"just a string with [ and {"', 0),
    (b'[[[[[[]]]]]]', 6),
    (b'{"k\\"[": {"v": "\\\\"}}', 2),
]


def scan(data: bytes, cuts: list[int], limit: int = 100) -> NestingScanner:
    scanner = NestingScanner(limit)
    edges = [0, *sorted(cuts), len(data)]
    for start, end in zip(edges, edges[1:]):
        scanner.feed(data[start:end])
    return scanner


@pytest.mark.parametrize("data,depth", SAMPLES)
def test_depth_is_found_wherever_the_bytes_are_cut(data, depth):
    rng = random.Random(7)
    for _ in range(200):
        cuts = rng.sample(range(1, len(data)), k=min(len(data) - 1, rng.randint(0, 6)))
        assert scan(data, cuts).depth == 0          # every bracket outside strings opened and closed
        scan(data, cuts, limit=depth)               # exactly at the limit: accepted
        if depth:
            with pytest.raises(TooDeep):
                scan(data, cuts, limit=depth - 1)
    assert depth_of(json.loads(data), 100) == depth


def test_a_1200_level_body_is_refused_without_recursion():
    with pytest.raises(TooDeep):
        check_text(b"[" * 1200 + b"]" * 1200, 32)
    check_text(b"[" * 32 + b"]" * 32, 32)
    assert depth_of(json.loads("[" * 900 + "]" * 900), 32) == 33  # stops counting past the limit


def test_bulk_docs_documents_are_counted_as_they_stream():
    body = json.dumps({"docs": [{"_id": f"d{i}", "x": [{"y": "{"}]} for i in range(7)], "new_edits": False}).encode()
    guard = BodyGuard(10 * MB, "gateway.body_too_large", scan=True, max_depth=32, max_docs=7)
    for start in range(0, len(body), 13):
        guard.check(body[start:start + 13])
    strict = BodyGuard(10 * MB, "gateway.body_too_large", scan=True, max_depth=32, max_docs=6)
    with pytest.raises(Problem) as refused:
        strict.check(body)
    assert refused.value.code == "gateway.too_many_docs"
    deep = BodyGuard(10 * MB, "gateway.body_too_large", scan=True, max_depth=32)
    with pytest.raises(Problem) as refused:
        deep.check(b'{"docs": [' + b"[" * 40)
    assert refused.value.code == "gateway.too_deep"


def test_a_photo_batch_is_scanned_quickly():
    import base64
    import time
    photo = base64.b64encode(random.Random(1).randbytes(3 * MB)).decode()
    body = json.dumps({"docs": [{"_id": f"photo:{i}", "_attachments": {"p.jpg": {"data": photo}}}
                                for i in range(4)]}).encode()
    guard = BodyGuard(20 * MB, "gateway.body_too_large", scan=True, max_depth=32, max_docs=200)
    started = time.perf_counter()
    for start in range(0, len(body), MB):
        guard.check(body[start:start + MB])
    assert time.perf_counter() - started < 0.5


def random_value(rng: random.Random, depth: int):
    kind = rng.randrange(5) if depth < 12 else 4
    if kind == 0:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 1:
        return {rng.choice(['k', 'a"b', "x\\y", "[{"]): random_value(rng, depth + 1) for _ in range(rng.randrange(4))}
    return rng.choice(["plain", 'q"uote', "back\\slash\\", "]]}}", "[[{{", "\\\"", 12, None, True, 1.5])


def test_random_json_cut_anywhere_gives_the_parsed_depth():
    rng = random.Random(11)
    for _ in range(300):
        value = random_value(rng, 0)
        data = json.dumps(value, ensure_ascii=rng.random() < 0.5).encode()
        depth = depth_of(value, 100)
        cuts = rng.sample(range(1, len(data)), k=min(len(data) - 1, rng.randint(0, 8))) if len(data) > 1 else []
        assert scan(data, cuts).depth == 0
        scan(data, cuts, limit=depth)
        if depth:
            with pytest.raises(TooDeep):
                scan(data, cuts, limit=depth - 1)
