"""Test data builders for the registers (valid credit codes made with the project's own generator)."""
from __future__ import annotations

import random
import threading

from schemas.identifiers import make_uscc

_rng = random.Random(20261122)


def uscc(region: str = "370102") -> str:
    return make_uscc(region, _rng)


def enterprise(region: str = "370102", **extra) -> dict:
    body = {"uscc": uscc(region if len(region) == 6 and region.isdigit() else "370102"), "name": "济南测试机械制造有限公司", "region": region, "industry": "机械",
            "address": "济南市历下区经十路100号", "legal_rep": "张三", "phone": "0531-88888888",
            "risk": "黄", "std_level": "三级",
            "site": {"name": "主厂区", "address": "济南市历下区经十路100号", "lng": 117.05, "lat": 36.66}}
    body.update(extra)
    return body


def inspector(region: str = "370102", **extra) -> dict:
    body = {"name": "李执法", "cert_no": f"3701{_rng.randrange(10**9, 10**10)}", "unit": "历下区应急管理局",
            "region": region, "sectors": "机械、轻工", "mobile": "13800000000"}
    body.update(extra)
    return body


def race(posts) -> list:
    """Send the requests at the same moment, each from its own thread (its own session)."""
    gate, answers = threading.Barrier(len(posts)), [None] * len(posts)

    def run(n, send):
        gate.wait()
        answers[n] = send()
    threads = [threading.Thread(target=run, args=(n, p)) for n, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def race_codes(app, answers, ok: int, once: bool = False) -> list[int]:
    """The status codes of racing requests, checked as every such race must end: each answer `ok`, 409 (another
    racer came first) or 503 (on a CouchDB cluster, no racer's write reached a quorum of copies). `once`: a change
    that can be made once only, so at most one `ok`. On one copy (pouchdb-server, a single node) nobody is left
    unconfirmed: at least one `ok` (`once`: exactly one, the rest 409)."""
    from server.db import registry
    from sync.couch import shard_copies

    codes = [a.status_code for a in answers]
    assert set(codes) <= {ok, 409, 503} and (not once or codes.count(ok) <= 1), codes
    with app.app_context():
        one_copy = shard_copies(registry().info()) == 1
    if one_copy:
        assert ok in codes and 503 not in codes and (not once or codes.count(ok) == 1), codes
    return codes
