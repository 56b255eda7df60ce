"""Backups of every database to a directory (incremental, attachments included) and their restore.

Layout: `<dir>/<database>/state.json` ({"last_seq", "security", "segments"}) and one NDJSON segment per
run, `seg-000001.ndjson`, each line a document revision as `_bulk_get?revs=true&attachments=true` gives it
(every leaf revision, conflicts and deletions included, with its revision history). A run reads each
database's changes feed from the sequence the last run ended at until the feed is exhausted, so a database
is complete as of the end of its pass, every document at one of its revisions. Restore replays the segments
in order with `new_edits: false` (same ids, same revisions, so replication checkpoints and the audit chain
stay valid), design documents last so that validation functions do not judge the restore.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from sync.couch import Couch, Database

BATCH = 50
STATE = "state.json"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def _databases(server: Couch, prefix: str) -> list[str]:
    return [n for n in server.all_dbs() if n.startswith(prefix) and not n.startswith("_")]


def _bulk_get(db: Database, refs: list[dict]) -> list[dict]:
    """Each referenced revision whole, with its history and attachments inline; `latest`: the leaf it has
    become since, if any. On a cluster the changes feed reads one copy of each shard, which may not have a
    document's last revision yet while the others do (seen: a backup of `_design/idx` at revision 4 of 5);
    `_bulk_get` asks a quorum, as the replicator does, so the backup holds what a reader would see."""
    res = db.server.call("POST", f"{db.path}/_bulk_get",
                         params={"revs": "true", "attachments": "true", "latest": "true"},
                         json={"docs": refs}, timeout_s=300)
    docs, seen = [], set()
    for result in res["results"]:
        for answer in result["docs"]:
            if "ok" not in answer:
                raise BackupError(f"{db.name}: {result['id']} could not be read: {answer.get('error')}")
            key = (answer["ok"].get("_id"), answer["ok"].get("_rev"))
            if key not in seen:   # two revisions asked may have the same latest leaf
                seen.add(key)
                docs.append(answer["ok"])
    return docs


def _read_state(folder: Path) -> dict:
    path = folder / STATE
    return json.loads(path.read_text()) if path.exists() else {"last_seq": "0", "segments": []}


def backup_database(db: Database, folder: Path, batch: int = BATCH) -> int:
    """Append what changed since the last run as a new segment; returns the revisions written."""
    folder.mkdir(parents=True, exist_ok=True)
    state = _read_state(folder)
    since, written = state["last_seq"], 0
    segment = folder / f"seg-{len(state['segments']) + 1:06d}.ndjson"
    with segment.open("w", encoding="utf-8") as out:
        while True:
            page = db.changes(since=since, limit=batch, style="all_docs")
            if not page["results"]:
                break
            refs = [{"id": row["id"], "rev": change["rev"]} for row in page["results"] for change in row["changes"]]
            for doc in _bulk_get(db, refs):
                out.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
                written += 1
            since = page["last_seq"]
    if written:
        state["segments"].append(segment.name)
    else:
        segment.unlink()
    state.update(last_seq=since, security=db.get_security(),
                 at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    (folder / STATE).write_text(json.dumps(state, ensure_ascii=False, indent=1))
    return written


def backup(server: Couch, target: Path, prefix: str = "", batch: int = BATCH) -> dict[str, int]:
    """Back up every database whose name starts with `prefix`; returns revisions written per database."""
    return {name: backup_database(server.db(name), target / name, batch) for name in _databases(server, prefix)}


def _flush(db: Database, docs: list[dict]) -> None:
    if not docs:
        return
    for result in db.bulk_docs(docs, new_edits=False):
        if result.get("error"):
            raise BackupError(f"{db.name}: {result.get('id')} was refused: {result.get('reason') or result['error']}")
    docs.clear()


def restore_database(server: Couch, folder: Path, name: str, batch: int = BATCH) -> int:
    """Restore one database from its folder into `name`; refuses a database that already holds documents."""
    state = _read_state(folder)
    server.create_db(name)
    db = server.db(name)
    if db.info().get("doc_count", 0) or db.info().get("doc_del_count", 0):
        raise BackupError(f"{name} already holds documents; restore only into an empty or new database")
    if state.get("security"):
        db.put_security(state["security"])
    pending, designs, count = [], [], 0
    for segment in state["segments"]:
        with (folder / segment).open(encoding="utf-8") as lines:
            for line in lines:
                doc = json.loads(line)
                (designs if doc["_id"].startswith("_design/") else pending).append(doc)
                count += 1
                if len(pending) >= batch:
                    _flush(db, pending)
    _flush(db, pending)
    _flush(db, designs)
    return count


def restore(server: Couch, source: Path, prefix: str = "", into_prefix: str | None = None) -> dict[str, int]:
    """Restore every backed-up database whose name starts with `prefix`; `into_prefix` renames them."""
    folders = sorted(p for p in source.iterdir() if (p / STATE).exists() and p.name.startswith(prefix))
    if not folders:
        raise BackupError(f"no backup found in {source}")
    out = {}
    for folder in folders:
        name = folder.name if into_prefix is None else into_prefix + folder.name[len(prefix):]
        out[name] = restore_database(server, folder, name)
    return out


def replicate(server: Couch, source_url: str, target_url: str, prefix: str = "") -> dict[str, dict]:
    """Back up to another CouchDB: a one-off replication of each database (created there if missing).
    `source_url` is this server's address with its credentials (COUCHDB_URL), which the replicator needs."""
    source, target = source_url.rstrip("/"), target_url.rstrip("/")
    out = {}
    for name in _databases(server, prefix):
        res = server.call("POST", "/_replicate", json={"source": f"{source}/{name}", "target": f"{target}/{name}",
                                                       "create_target": True}, timeout_s=3600)
        out[name] = {"ok": bool(res.get("ok")), "docs_written": res.get("docs_written")}
    return out
