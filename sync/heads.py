"""The update sequence of many databases at once (the worker's sweep, the live backlog count).

CouchDB 3's `POST /_dbs_info` answers 100 databases a request; the embedded pouchdb-server has the same
route (sync/pouchdb_couch_api.js). A server without it (an older pouchdb-server, a proxy that does not pass
it) is read one `GET /<db>` at a time, a few at once.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sync.couch import Couch, CouchError, NotFound, seq_number

DBS_INFO_KEYS = 100  # CouchDB's max_db_number_for_dbs_info_req default
READERS = 8  # concurrent GETs when each database is read on its own
_no_dbs_info: set[str] = set()  # servers that answered _dbs_info with an error


def _head(info: dict) -> tuple[int, bool]:
    """(update_seq's leading count, holds no document). Apache CouchDB counts live and deleted documents (its
    update_seq also counts `_security` writes, which are no document); the embedded server gives no count of
    deleted ones, and there nothing was ever written while the update_seq is 0."""
    seq, counts = seq_number(info.get("update_seq")), (info.get("doc_count"), info.get("doc_del_count"))
    return seq, counts == (0, 0) if None not in counts else seq == 0


def _one_by_one(server: Couch, names: list[str]) -> dict[str, tuple[int, bool] | None]:
    def head(name):
        try:
            return name, _head(server.db(name).info())
        except NotFound:
            return name, None
        except (CouchError, KeyError, TypeError):
            return name, (-1, False)
    with ThreadPoolExecutor(READERS) as pool:
        return dict(pool.map(head, names))


def heads(server: Couch, names: list[str]) -> dict[str, tuple[int, bool]]:
    """{database: (the leading count of its update_seq, whether it holds no document, not even a deleted one)}
    for those of `names` that exist; (-1, False) for one that could not be read (a reason to visit it)."""
    if not names:
        return {}
    if server.base not in _no_dbs_info:
        try:
            out = {}
            for start in range(0, len(names), DBS_INFO_KEYS):
                for row in server.call("POST", "/_dbs_info", json={"keys": names[start:start + DBS_INFO_KEYS]}):
                    if isinstance(row.get("info"), dict):
                        out[row["key"]] = _head(row["info"])
            return out
        except (CouchError, AttributeError, KeyError, TypeError, ValueError):
            _no_dbs_info.add(server.base)   # not this server's API: one GET each from now on
    return {name: head for name, head in _one_by_one(server, names).items() if head is not None}


def update_seqs(server: Couch, names: list[str]) -> dict[str, int]:
    """{database: the leading count of its update_seq} for those of `names` that exist; -1 for one that
    could not be read (a reason to visit it)."""
    return {name: seq for name, (seq, _) in heads(server, names).items()}
