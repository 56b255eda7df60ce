"""Benchmark (issue 17): N live field kits syncing while supervisors load console pages, lists and sign in.

    python bench/load.py --steps 0,50,100,200,500,1000 --window 30

Each phone runs the field kit's own live replication (bench/load_phones.js, many phones per Node process,
each with its own keep-alive pool); now and then one writes a valid inspection record, timed until the
worker has filed it in `records`. Supervisors (threads) sign in, then load console pages and API lists with
a person's pauses between them (`--think`), signing in again now and then (`--signin-every`); an earlier
version signed in before every third page, which measured Argon2 hashing rather than the console. Prints a
line per N and last: live_phones=<largest N that held> console_p95_ms=<at that N> push_p95_s=<there>
errors=<count over the whole run>. "Held": every phone synced, console p95 ≤ 300 ms, push→filed p95 ≤ 10 s,
no error. Loopback only; everything it starts is stopped at the end.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import load_env  # noqa: E402

PHONES_PER_NODE = 250
SPREAD_S = 10  # the supervisors' first sign-ins, spread over this many seconds
PAGES = ("/console/enterprises", "/console/plans", "/console/status")
LISTS = ("/api/v1/enterprises?limit=20", "/api/v1/inspectors?limit=20")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else 0.0)


class Phones:
    """The Node processes hosting the phones; collects their events."""

    def __init__(self, base: str):
        self.base, self.procs, self.ready, self.trouble = base, [], set(), []
        self.by_db, self.lock = {}, threading.Lock()

    def add(self, accounts: list[dict]) -> None:
        for start in range(0, len(accounts), PHONES_PER_NODE):
            batch = accounts[start:start + PHONES_PER_NODE]
            proc = subprocess.Popen(["node", str(Path(__file__).with_name("load_phones.js"))], text=True,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=1)
            proc.stdin.write(json.dumps({"base": self.base, "batch_size": 20, "max_retry_s": 30,
                                         "phones": [{"db": a["db"], "token": a["token"]} for a in batch]}) + "\n")
            for account in batch:
                self.by_db[account["db"]] = proc
            threading.Thread(target=self._read, args=(proc,), daemon=True).start()
            self.procs.append(proc)

    def _read(self, proc) -> None:
        for line in proc.stdout:
            event = json.loads(line)
            with self.lock:
                if event["event"] == "ready":
                    self.ready.add(event["db"])
                elif event["event"] == "trouble":
                    self.trouble.append(event)

    def write(self, db: str, doc: dict) -> None:
        proc = self.by_db[db]
        with self.lock:
            proc.stdin.write(json.dumps({"cmd": "write", "db": db, "doc": doc}) + "\n")

    def stop(self) -> None:
        for proc in self.procs:
            try:
                proc.stdin.write(json.dumps({"cmd": "stop"}) + "\n")
                proc.stdin.flush()
                proc.wait(20)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()


def sign_in(http: httpx.Client, out: dict) -> httpx.Response:
    """A token for the supervisor, timed from first try to answer; a 429 with Retry-After (the server's
    bounded password hashing saying "busy") is waited out and tried again, as a browser user would."""
    began = time.monotonic()
    for _ in range(5):
        res = http.post("/api/v1/auth/tokens", json={"username": load_env.SUPERVISOR[0],
                                                      "password": load_env.SUPERVISOR[1], "label": "bench"})
        if res.status_code != 429 or "Retry-After" not in res.headers:
            break
        out["signin_retries"] += 1
        time.sleep(float(res.headers["Retry-After"]))
    out["signin"].append(time.monotonic() - began)
    return res


def supervisor(base: str, until: float, out: dict, think_s: float, signin_every_s: float) -> None:
    """One supervisor at the console: signs in (a token), then loads pages and lists with `think_s` seconds
    between them (a person reading), signing in again every `signin_every_s` seconds (a new session)."""
    # People do not all sign in in the same instant: the first sign-ins spread over the first seconds, as
    # the later ones (every `signin_every_s`) spread over the minute.
    time.sleep(random.uniform(0, min(SPREAD_S, max(until - time.monotonic(), 0) / 3)))
    with httpx.Client(base_url=base, timeout=30) as http:
        headers, signed_at = None, float("-inf")
        while time.monotonic() < until:
            try:
                if time.monotonic() - signed_at >= signin_every_s:
                    res = sign_in(http, out)
                    res.raise_for_status()
                    headers, signed_at = {"Authorization": "Bearer " + res.json()["token"]}, time.monotonic()
                path = random.choice(PAGES + LISTS)
                began = time.monotonic()
                http.get(path, headers=headers).raise_for_status()
                took = time.monotonic() - began
                out["page" if path.startswith("/console") else "list"].append(took)
                out["by_path"].setdefault(path, []).append(took)
            except httpx.HTTPError as exc:
                out["errors"].append(f"supervisor: {type(exc).__name__}: {exc}"[:200])
            time.sleep(random.uniform(0.5, 1.5) * think_s)


def pushes(app, phones: Phones, task: dict, until: float, every_s: float, out: dict) -> None:
    """Now and then a phone writes a valid inspection; each is timed until it is in `records`."""
    from server.db import database
    from tests.integration.worker_fixtures import inspection
    accounts = list(phones.ready)
    if not accounts:
        return
    waiting: dict[str, float] = {}
    where: dict[str, str] = {}
    with app.app_context():
        records = database("records")
        next_write = time.monotonic()
        while time.monotonic() < until + 15 and (waiting or time.monotonic() < until):
            if time.monotonic() >= next_write and time.monotonic() < until:
                doc = inspection(app, task)
                waiting[doc["_id"]] = time.monotonic()
                where[doc["_id"]] = random.choice(accounts)
                phones.write(where[doc["_id"]], doc)
                next_write += every_s
            if waiting:
                for row in records.all_docs(keys=list(waiting)):
                    if "error" not in row and row.get("value") and row["id"] in waiting:
                        out["push"].append(time.monotonic() - waiting.pop(row["id"]))
            time.sleep(0.2)
        out["errors"].extend(f"push not filed within 15 s after the window: {k} ({unfiled(k, where[k])})"
                             for k in waiting)


def unfiled(doc_id: str, db: str) -> str:
    """Where a push that was not filed is: still only on the phone, or on the server and not filed."""
    from flask import current_app
    from server.db import couch, database
    name = current_app.config["DB_PREFIX"] + db
    if not couch().db(name).get_or_none(doc_id):
        return "not on the server: the phone has not sent it"
    checkpoint = database("records").get_or_none(f"_local/worker-{name}") or {}
    status = database("records").get_or_none("_local/worker-status") or {}
    return (f"on the server, not filed; the database at {couch().db(name).info()['update_seq']}, the worker's "
            f"checkpoint there {checkpoint.get('seq')}, named as waiting: {name in str(status.get('waiting'))}")


def wait_ready(phones: Phones, count: int, timeout_s: float) -> float:
    """Seconds until `count` phones finished their first sync (or the timeout)."""
    began = time.monotonic()
    while len(phones.ready) < count and time.monotonic() - began < timeout_s:
        time.sleep(0.5)
    return time.monotonic() - began


def step(app, phones: Phones, base: str, task: dict, n: int, window_s: float, people: dict) -> dict:
    out = {"page": [], "list": [], "signin": [], "push": [], "errors": [], "signin_retries": 0, "by_path": {}}
    troubles_before = len(phones.trouble)
    until = time.monotonic() + window_s
    threads = [threading.Thread(target=supervisor, args=(base, until, out, people["think_s"], people["signin_every_s"]))
               for _ in range(people["supervisors"])]
    threads.append(threading.Thread(target=pushes, args=(app, phones, task, until, 1.0, out)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phone_errors = phones.trouble[troubles_before:]
    return {"n": n, "ready": len(phones.ready), "console_p95_ms": round(p95(out["page"]) * 1000),
            "list_p95_ms": round(p95(out["list"]) * 1000), "signin_p95_ms": round(p95(out["signin"]) * 1000),
            "push_p95_s": round(p95(out["push"]), 2), "pushes": len(out["push"]),
            "signin_retries": out["signin_retries"],
            "p95_ms_by_path": {path: round(p95(times) * 1000) for path, times in sorted(out["by_path"].items())},
            "errors": len(out["errors"]) + len(phone_errors), "samples": (out["errors"] + phone_errors)[:3]}


def held(row: dict) -> bool:
    return (row["ready"] >= row["n"] and row["console_p95_ms"] <= 300 and row["push_p95_s"] <= 10
            and row["errors"] == 0)


def run(steps: list[int], window_s: float, people: dict, ready_timeout_s: float,
        couch_url: str | None = None, keep_logs: Path | None = None) -> list[dict]:
    from server import create_app
    from sync.embedded import EmbeddedCouch, free_port
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        couch = None if couch_url else EmbeddedCouch(tmp / "couch").start()
        procs, phones, env = [], None, None
        try:
            env = load_env.settings(couch_url or couch.url, tmp)
            app = create_app(env)
            accounts, task = load_env.populate(app, max(steps))
            port = free_port()
            procs = load_env.start_processes(env, port, tmp)
            base = f"http://127.0.0.1:{port}"
            phones = Phones(base)
            for n in steps:
                phones.add(accounts[len(phones.by_db):n])
                ready_s = wait_ready(phones, n, ready_timeout_s)
                row = step(app, phones, base, task, n, window_s, people)
                row["first_sync_s"] = round(ready_s, 1)
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
        finally:
            if phones:
                phones.stop()
            load_env.stop(procs)
            if couch:
                couch.stop()
            elif env:
                load_env.drop_databases(couch_url, env["DB_PREFIX"])
            if keep_logs:
                keep_logs.mkdir(parents=True, exist_ok=True)
                for log in [*tmp.glob("*.log"), *(tmp / "couch").glob("*.log")]:
                    shutil.copy(log, keep_logs / log.name)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="0,50,100,200,500,1000")
    parser.add_argument("--window", type=float, default=30.0, help="seconds measured at each N")
    parser.add_argument("--supervisors", type=int, default=20, help="people at the console at once")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between one person's pages")
    parser.add_argument("--signin-every", type=float, default=60.0, help="seconds between one person's sign-ins")
    parser.add_argument("--ready-timeout", type=float, default=300.0)
    parser.add_argument("--keep-logs", help="a directory to copy the worker's, the web processes' and the "
                        "embedded server's logs into at the end")
    parser.add_argument("--couch-url", help="an Apache CouchDB 3 (admin URL) instead of the embedded "
                        "pouchdb-server; the bench's databases are deleted at the end")
    args = parser.parse_args()
    people = {"supervisors": args.supervisors, "think_s": args.think, "signin_every_s": args.signin_every}
    rows = run([int(s) for s in args.steps.split(",")], args.window, people, args.ready_timeout, args.couch_url,
               Path(args.keep_logs) if args.keep_logs else None)
    good = [r for r in rows if held(r)]
    best = good[-1] if good else rows[0]
    print(f"live_phones={best['n'] if good else 0} console_p95_ms={best['console_p95_ms']} "
          f"push_p95_s={best['push_p95_s']} errors={sum(r['errors'] for r in rows)}")


if __name__ == "__main__":
    main()
