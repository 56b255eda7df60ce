"""The one door to CouchDB: a thin client over httpx that speaks what Apache CouchDB 3 and pouchdb-server both serve."""
from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from sync.couch_clients import ClientPool
from sync.pipe import Pipe, PipeError, PipeResponse
from sync.pipe_session import RENEW_S


class CouchError(Exception):
    """A CouchDB request failed in a way the caller did not ask to handle."""

    def __init__(self, status: int, error: str, reason: str = ""):
        super().__init__(f"CouchDB {status} {error}: {reason}")
        self.status = status
        self.error = error
        self.reason = reason


class NotFound(CouchError):
    """The database or document does not exist."""


class Conflict(CouchError):
    """The document was changed by someone else (or already exists)."""


class Unavailable(CouchError):
    """CouchDB could not be reached."""


class TimedOut(Unavailable):
    """CouchDB said nothing for the whole timeout (on a long poll: nothing changed)."""


def _unavailable(exc: PipeError) -> Unavailable:
    return (TimedOut if exc.timed_out else Unavailable)(503, "unavailable", str(exc))


CLAIM_STALE_S = 30.0    # a claimed revision still current after this long: its request died (claim_revision)
CLAIM_TRIES = 5
# A write whose attachment stubs name a revision some shard copies have not got yet (cluster, under load)
# is refused 412 missing_stub by them; internal replication brings the revision within moments.
STUB_WAITS_S = (0.1, 0.2, 0.4, 0.8, 1.5)


def _doc_path(doc_id: str) -> str:
    # "_design/x" and "_local/x" keep their slash; everything else is one path segment.
    for prefix in ("_design/", "_local/"):
        if doc_id.startswith(prefix):
            return prefix + quote(doc_id[len(prefix):], safe="")
    return quote(doc_id, safe="")


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """Take user:password out of a URL so that it never appears in logs or errors."""
    parts = urlsplit(url)
    if not parts.username:
        return url.rstrip("/"), None
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    bare = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    from urllib.parse import unquote
    return bare.rstrip("/"), (unquote(parts.username), unquote(parts.password or ""))


def shard_copies(info: dict) -> int:
    """Copies of each shard a database keeps, from its `GET /db` answer: `cluster.n` on Apache CouchDB; 1 where
    there is no such field (pouchdb-server)."""
    return int((info.get("cluster") or {}).get("n") or 1)


class Couch:
    """A CouchDB server. Every call sends Accept: application/json and has a timeout."""

    def __init__(self, url: str, timeout: float = 30.0, session_renew_s: float = RENEW_S):
        """`session_renew_s`: the gateway's pipe logs in to CouchDB this often (0: Basic on each request)."""
        self.base, auth = split_credentials(url)
        # A client per concurrent caller, never one shared by many threads (sync/couch_clients.py).
        self.http = ClientPool(self.base, auth, httpx.Timeout(timeout, connect=5.0),
                               {"Accept": "application/json", "Accept-Encoding": "identity"})
        self.pipe = Pipe(self.base, auth, timeout=timeout, fail=_unavailable, session_renew_s=session_renew_s)

    def close(self) -> None:
        self.http.close()
        self.pipe.close()

    # -- low level ---------------------------------------------------------
    def request(self, method: str, path: str, timeout_s: float | None = None, **kwargs) -> httpx.Response:
        """One request; `timeout_s` replaces the client's read timeout for it (a long poll, a slow view)."""
        if timeout_s:
            kwargs["timeout"] = httpx.Timeout(timeout_s, connect=5.0)
        try:
            resp = self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Unavailable(503, "unavailable", f"{type(exc).__name__}: {exc}") from exc
        return resp

    @contextmanager
    def stream(self, method: str, path: str, params=None, headers: dict | None = None,
               content: bytes | Iterable[bytes] | None = None,
               timeout: float | None = None, session: bool = True) -> Iterator[PipeResponse]:
        """One request whose body is sent and whose answer is read as they flow (the sync gateway's pipe).

        `path` is already percent-encoded; the pipe adds the server's own credentials, nowhere else.
        `timeout` bounds each wait for CouchDB (seconds). A connection failure raises Unavailable (TimedOut
        when CouchDB stayed silent), at the start or while the answer is read. The response is closed when
        the block ends, which also tells CouchDB to stop a long poll. `session`: see `Pipe.open`.
        """
        headers = {"Accept": "application/json", "Accept-Encoding": "identity", **(headers or {})}
        resp = self.pipe.open(method, path, params=params, headers=headers, content=content, timeout=timeout,
                              session=session)
        try:
            yield resp
        finally:
            resp.close()

    def call(self, method: str, path: str, ok=(200, 201, 202), **kwargs):
        resp = self.request(method, path, **kwargs)
        if resp.status_code in ok:
            return resp.json() if resp.content else None
        raise self._error(resp)

    @staticmethod
    def _error(resp: httpx.Response) -> CouchError:
        try:
            body = resp.json()
        except (ValueError, json.JSONDecodeError):
            body = {"error": "unknown", "reason": resp.text[:200]}
        error, reason = body.get("error", "unknown"), str(body.get("reason", ""))
        cls = {404: NotFound, 409: Conflict, 412: Conflict}.get(resp.status_code, CouchError)
        return cls(resp.status_code, error, reason)

    # -- server ------------------------------------------------------------
    def info(self) -> dict:
        return self.call("GET", "/")

    def db(self, name: str) -> "Database":
        return Database(self, name)

    def create_db(self, name: str, q: int | None = None) -> bool:
        """Create a database; False if it already existed. `q`: its shards on an Apache CouchDB 3 cluster
        (one for a small inspector database, more for records); pouchdb-server ignores it."""
        params = {"q": q} if q else None
        resp = self.request("PUT", f"/{quote(name, safe='')}", params=params)
        if resp.status_code in (201, 202):
            return True
        if resp.status_code == 412:
            return False
        raise self._error(resp)

    def delete_db(self, name: str) -> bool:
        resp = self.request("DELETE", f"/{quote(name, safe='')}")
        if resp.status_code in (200, 202):
            return True
        if resp.status_code == 404:
            return False
        raise self._error(resp)

    def all_dbs(self) -> list[str]:
        return self.call("GET", "/_all_dbs")

    def db_updates(self, since: str = "now", wait_s: float | None = None) -> dict:
        """Which databases were created, updated or deleted since `since` (Apache CouchDB 3 with
        `_global_changes`; pouchdb-server answers 400). With `wait_s`, a long poll of that many seconds."""
        params = {"since": since, "feed": "longpoll" if wait_s else "normal"}
        if wait_s:
            params["timeout"] = str(int(wait_s * 1000))
        return self.call("GET", "/_db_updates", params=params, timeout_s=wait_s + 15 if wait_s else None)


class Database:
    """One database. Methods are named after what domain code needs, not after URLs."""

    def __init__(self, server: Couch, name: str):
        self.server = server
        self.name = name
        self.path = "/" + quote(name, safe="")

    def exists(self) -> bool:
        return self.server.request("HEAD", self.path).status_code == 200

    def info(self) -> dict:
        return self.server.call("GET", self.path)

    def update_seq(self) -> str:
        """The database's current update sequence, as text: it changes whenever any document does."""
        return str(self.info()["update_seq"])

    def get(self, doc_id: str, **params) -> dict:
        return self.server.call("GET", f"{self.path}/{_doc_path(doc_id)}", params=params or None)

    def get_or_none(self, doc_id: str) -> dict | None:
        try:
            return self.get(doc_id)
        except NotFound:
            return None

    def put(self, doc: dict) -> dict:
        """Write a document; sets doc['_rev'] to the new revision.

        On an Apache CouchDB cluster a revision written with its attachments can be on one copy of the shard
        only (answered 202, or 201 with a third copy lagging); a write of the next revision that carries the
        attachments as stubs is then refused `412 missing_stub` by the copies that have not got it. That is
        lag, not a caller's mistake: the same write is sent again after a short wait (STUB_WAITS_S, 3 s in
        all). Sending it again is safe: the new revision's ID is a digest of its content and parent, so a
        copy that had taken the first try holds the same revision, not a rival one."""
        path = f"{self.path}/{_doc_path(doc['_id'])}"
        resp = self.server.request("PUT", path, json=doc)
        for wait in STUB_WAITS_S:
            if resp.status_code != 412 or self.server._error(resp).error != "missing_stub":
                break
            time.sleep(wait)
            resp = self.server.request("PUT", path, json=doc)
        if resp.status_code not in (200, 201, 202):
            raise self.server._error(resp)
        res = resp.json()
        doc["_rev"] = res["rev"]
        return res

    def claim_revision(self, doc: dict) -> dict | None:
        """Take the right to change `doc` from its current revision, before any side effect of the change.

        Two updates of one revision that race are both accepted on an Apache CouchDB cluster when each
        reaches different copies (one answered 201, the other 202), and the copies then keep both; the
        winner CouchDB later shows need not be the 201 one. A document's *creation*, though, reaches a
        quorum (201) for one writer only. So the change is claimed by creating `claim:<id>:<rev>:<k>`:
        201 → the caller goes on; 409 → another request has this revision (Conflict); 202 → not confirmed:
        Conflict if another request's claim shows beside ours, else Unavailable (no_quorum: nodes down).
        A claim older than CLAIM_STALE_S whose revision is still current belongs to a request that died:
        the next one (k + 1) is tried. On one server this costs one write.

        What a claim cannot do without consensus, which CouchDB does not offer: when racers split a cluster's
        copies so that none reaches a quorum, every one of them is refused (409 or 503), and the revision
        stays claimed until the claims go stale; and a request slower than CLAIM_STALE_S can be overtaken.

        Returns the claim (None for a creation), for `release_claim` when the change is given up."""
        if "_rev" not in doc:
            return None     # a creation is unique by itself
        for k in range(1, CLAIM_TRIES + 1):
            claim = {"_id": f"claim:{doc['_id']}:{doc['_rev']}:{k}", "type": "claim", "doc": doc["_id"],
                     "rev": doc["_rev"], "at": time.time()}
            resp = self.server.request("PUT", f"{self.path}/{_doc_path(claim['_id'])}", json=claim)
            if resp.status_code == 201:
                return {**claim, "_rev": resp.json()["rev"]}
            if resp.status_code == 202:
                # Short of a quorum: racers took the other copies (another claim shows), or nodes are down.
                if self._rival_shows(claim["_id"], resp.json().get("rev")):
                    raise Conflict(409, "conflict", f"{doc['_id']} is being changed by another request")
                raise Unavailable(503, "no_quorum", f"claim on {doc['_id']} not confirmed by a quorum of copies")
            if resp.status_code != 409:
                raise self.server._error(resp)
            held = self.get_or_none(claim["_id"]) or {}
            if time.time() - float(held.get("at") or 0) < CLAIM_STALE_S:
                raise Conflict(409, "conflict", f"{doc['_id']} is being changed by another request")
        raise Conflict(409, "conflict", f"{doc['_id']}: {CLAIM_TRIES} claims on one revision")

    def _rival_shows(self, doc_id: str, rev: str | None) -> bool:
        """After a creation answered 202: whether another writer's revision of `doc_id` shows beside `rev`."""
        try:
            seen = self.get(doc_id, conflicts="true")
        except NotFound:
            return False
        return bool(seen.get("_conflicts")) or seen.get("_rev") not in (None, rev)

    def create(self, doc: dict) -> dict:
        """Create a document that two requests may create at the same moment (a claim on a name, a key, an
        account): of racing creations exactly one succeeds, on one server and on a CouchDB cluster alike.
        Sets doc['_rev'].

        A creation reaches a quorum of copies (201) for one writer only, but a racer's creation is still
        accepted by the copies it reached first, answered 202, and those copies then hold two first revisions.
        So: 409 → Conflict; 202 → our revision is deleted again (best effort: the other writer's stays), then
        Conflict if another revision shows, else Unavailable (no_quorum: nodes down)."""
        path = f"{self.path}/{_doc_path(doc['_id'])}"
        resp = self.server.request("PUT", path, json=doc)
        if resp.status_code == 202:
            rev = resp.json().get("rev")
            rival = self._rival_shows(doc["_id"], rev)
            with suppress(CouchError, httpx.HTTPError):
                self.server.request("DELETE", path, params={"rev": rev})
            if rival:
                raise Conflict(409, "conflict", f"{doc['_id']} was created by another request")
            raise Unavailable(503, "no_quorum", f"creation of {doc['_id']} not confirmed by a quorum of copies")
        if resp.status_code != 201:
            raise self.server._error(resp)
        res = resp.json()
        doc["_rev"] = res["rev"]
        return res

    def release_claim(self, claim: dict | None) -> None:
        """Give a claim back when the change was refused after it was taken (a rule, a cap): the revision
        can be claimed again at once, instead of after CLAIM_STALE_S. Best effort: a claim not given back
        just goes stale."""
        if claim:
            self.server.request("DELETE", f"{self.path}/{_doc_path(claim['_id'])}", params={"rev": claim["_rev"]})

    @contextmanager
    def claimed(self, doc: dict) -> Iterator[dict | None]:
        """`claim_revision` for a change with side effects before its write: given back if the block fails."""
        claim = self.claim_revision(doc)
        try:
            yield claim
        except BaseException:
            with suppress(CouchError):      # not given back: it goes stale; the block's error is the one to report
                self.release_claim(claim)
            raise

    def put_once(self, doc: dict) -> dict:
        """`put` for a state change that two people may make at the same moment: of concurrent updates of
        one revision exactly one is stored, on one server and on a CouchDB cluster alike (claim_revision); of
        concurrent creations exactly one succeeds (`create`)."""
        if "_rev" not in doc:
            return self.create(doc)
        with self.claimed(doc):
            return self.put(doc)

    def delete(self, doc_id: str, rev: str) -> dict:
        return self.server.call("DELETE", f"{self.path}/{_doc_path(doc_id)}", params={"rev": rev})

    def bulk_docs(self, docs: list[dict], new_edits: bool = True) -> list[dict]:
        body: dict = {"docs": docs}
        if not new_edits:
            body["new_edits"] = False
        return self.server.call("POST", f"{self.path}/_bulk_docs", json=body)

    def all_docs(self, keys: list[str] | None = None, include_docs: bool = False, **params) -> list[dict]:
        q = {k: json.dumps(v) if k in ("startkey", "endkey", "start_key", "end_key") else v
             for k, v in params.items()}
        if include_docs:
            q["include_docs"] = "true"
        if keys is not None:
            res = self.server.call("POST", f"{self.path}/_all_docs", params=q, json={"keys": keys})
        else:
            res = self.server.call("GET", f"{self.path}/_all_docs", params=q)
        return res["rows"]

    def docs_by_id(self, ids: list[str]) -> dict[str, dict]:
        """The current documents for these ids (missing and deleted ones left out)."""
        found: dict[str, dict] = {}
        for start in range(0, len(ids), 2000):
            for row in self.all_docs(keys=ids[start:start + 2000], include_docs=True):
                if row.get("doc"):
                    found[row["id"]] = row["doc"]
        return found

    def find(self, selector: dict, limit: int = 25, skip: int = 0, sort=None, fields=None,
             use_index=None) -> list[dict]:
        body: dict = {"selector": selector, "limit": limit, "skip": skip}
        if sort:
            body["sort"] = sort
        if fields:
            body["fields"] = fields
        if use_index:
            body["use_index"] = use_index
        return self.server.call("POST", f"{self.path}/_find", json=body)["docs"]

    def create_index(self, fields: list, name: str, ddoc: str) -> dict:
        body = {"index": {"fields": fields}, "name": name, "ddoc": ddoc, "type": "json"}
        return self.server.call("POST", f"{self.path}/_index", json=body)

    def indexes(self) -> list[dict]:
        """The database's Mango indexes ({ddoc, name, type, def: {fields}}), the built-in _all_docs one included."""
        return self.server.call("GET", f"{self.path}/_index")["indexes"]

    def view(self, ddoc: str, view: str, timeout_s: float | None = None, **params) -> dict:
        """A view query; `timeout_s` replaces the server's timeout for this query (a long first build)."""
        q = {k: (json.dumps(v) if k in ("key", "startkey", "endkey", "start_key", "end_key") else
                 str(v).lower() if isinstance(v, bool) else v) for k, v in params.items()}
        return self.server.call("GET", f"{self.path}/_design/{quote(ddoc, safe='')}/_view/{quote(view, safe='')}",
                                params=q, timeout_s=timeout_s)

    def get_security(self) -> dict:
        return self.server.call("GET", f"{self.path}/_security")

    def put_security(self, security: dict) -> None:
        self.server.call("PUT", f"{self.path}/_security", json=security)

    def put_attachment(self, doc_id: str, rev: str, name: str, data: bytes, content_type: str) -> dict:
        return self.server.call("PUT", f"{self.path}/{_doc_path(doc_id)}/{quote(name, safe='')}",
                                params={"rev": rev}, content=data, headers={"Content-Type": content_type})

    def get_attachment(self, doc_id: str, name: str) -> bytes:
        resp = self.server.request("GET", f"{self.path}/{_doc_path(doc_id)}/{quote(name, safe='')}",
                                   headers={"Accept": "*/*"})
        if resp.status_code != 200:
            raise self.server._error(resp)
        return resp.content

    def changes(self, since="0", limit: int | None = None, include_docs: bool = False, **params) -> dict:
        q = {"since": since, **params}
        if limit:
            q["limit"] = limit
        if include_docs:
            q["include_docs"] = "true"
        return self.server.call("GET", f"{self.path}/_changes", params=q)


def seq_number(seq) -> int:
    """pouchdb-server counts 1, 2, 3…; CouchDB 3 says '12-g1AAAA…': both start with the count."""
    match = re.match(r"^(\d+)", str(seq))
    return int(match.group(1)) if match else 0
