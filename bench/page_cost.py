"""CouchDB requests and time per console page with N inspectors and phones (issue 17), in one process.

    python bench/page_cost.py 1000

A supervisor's pages through Flask's test client against an embedded pouchdb-server holding N inspector
accounts, their tokens and N phone documents; for each page the first load and the fourth: how long it took,
how many CouchDB requests it made and the time spent in them, by request. Nothing else runs meanwhile, so
this is a page's own cost, not its cost under load (that is bench/load.py)."""
import collections, re, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import load_env
from server import create_app
from sync.embedded import EmbeddedCouch
from sync import couch_clients

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
log = []
orig = couch_clients.ClientPool.request
def request(self, method, path, **kw):
    t = time.monotonic()
    try:
        return orig(self, method, path, **kw)
    finally:
        log.append((method, path, time.monotonic() - t))
couch_clients.ClientPool.request = request

def norm(p):
    p = re.sub(r"\?.*", "", p); p = re.sub(r"load[0-9a-f]{6}_", "", p)
    p = re.sub(r"inspector_[0-9a-f]+", "inspector_X", p); p = re.sub(r"/[^/]*%3A[^/]*", "/DOC", p)
    return p

with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    couch = EmbeddedCouch(tmp / "couch").start()
    try:
        env = load_env.settings(couch.url, tmp)
        env.pop("WORKER_NOTIFY_SOCKET")
        app = create_app(env)
        accounts, task = load_env.populate(app, N)
        from server.db import database
        with app.app_context():
            phones = [{"_id": f"phone:{a['db']}", "type": "phone", "db": a["db"], "username": "load" + a["inspector_id"].split(":")[1],
                       "last_seen": "2026-12-02T08:00:00+00:00"} for a in accounts]
            for s in range(0, len(phones), 500):
                database("records").bulk_docs(phones[s:s + 500])
        c = app.test_client()
        tok = c.post("/api/v1/auth/tokens", json={"username": load_env.SUPERVISOR[0], "password": load_env.SUPERVISOR[1], "label": "b"}).get_json()["token"]
        h = {"Authorization": "Bearer " + tok}
        for path in ("/", "/console/enterprises", "/console/plans", "/console/status", "/api/v1/enterprises?limit=20", "/api/v1/inspectors?limit=20"):
            for i in range(4):
                log.clear(); t = time.monotonic()
                r = c.get(path, headers=h)
                took = time.monotonic() - t
                if i in (0, 3):
                    cnt = collections.Counter(); tt = collections.Counter()
                    for m, p, d in log:
                        cnt[(m, norm(p))] += 1; tt[(m, norm(p))] += d
                    print(f"{path} [{i}] {r.status_code} {took*1000:.0f} ms, {len(log)} couch requests, {sum(d for *_, d in log)*1000:.0f} ms in couch")
                    for k, v in tt.most_common(8):
                        print(f"     {cnt[k]:3d} {v*1000:7.1f} ms {k[0]} {k[1]}")
    finally:
        couch.stop()
