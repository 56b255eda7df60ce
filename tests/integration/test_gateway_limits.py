"""What one sync request may cost (issue 16): nesting, ids and documents per request bounded with a clear code,
CouchDB answering others while the largest allowed request runs, and a cut upload releasing its thread."""
import json
import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration.gateway_fixtures import field_user, server_db  # noqa: F401  (fixtures)
from tests.integration.process_fixtures import gunicorn_server  # noqa: F401  (fixture)

IDS, DOCS = 500, 200   # the defaults of SYNC_MAX_IDS and SYNC_MAX_DOCS


def refused(res, status: int, code: str) -> None:
    body = res.get_json()
    assert res.status_code == status and body["errors"]["code"] == code, (res.status_code, body)
    assert body["message"] and "Traceback" not in body["message"]


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_nesting_beyond_the_bound_is_refused_on_every_write_and_read(client, field_user, app):
    alice = field_user("alice")
    url = f"/sync/{alice.db}"
    assert client.get(f"{url}/", headers=alice.auth).status_code == 200   # the phone's first sight creates it
    poison = '{"type": "hazard", "grade": ' + deep(1200) + "}"
    refused(client.put(f"{url}/hazard:deep", headers=alice.auth, data=poison, content_type="application/json"),
            400, "gateway.too_deep")
    refused(client.post(f"{url}/_bulk_docs", headers=alice.auth, data='{"docs": [' + poison + "]}",
                        content_type="application/json"), 400, "gateway.too_deep")
    refused(client.put(f"{url}/_local/cp", headers=alice.auth, data='{"h": ' + deep(40) + "}",
                       content_type="application/json"), 400, "gateway.too_deep")
    refused(client.post(f"{url}/_revs_diff", headers=alice.auth, data='{"a": ' + deep(1200) + "}",
                        content_type="application/json"), 400, "gateway.too_deep")
    refused(client.post(f"{url}/_changes", headers=alice.auth, data='{"doc_ids": ' + deep(1200) + "}",
                        content_type="application/json"), 400, "gateway.json")
    assert server_db(app, alice).get_or_none("hazard:deep") is None
    ok = client.put(f"{url}/hazard:ok", headers=alice.auth, content_type="application/json",
                    data='{"type": "hazard", "x": ' + deep(30) + "}")   # within the bound: stored
    assert ok.status_code == 201, ok.get_json()


def test_ids_and_documents_per_request_are_bounded(client, field_user):
    alice = field_user("alice")
    url = f"/sync/{alice.db}"
    assert client.get(f"{url}/", headers=alice.auth).status_code == 200   # the phone's first sight creates it
    ids = [f"inspection:{i:05d}" for i in range(IDS + 1)]
    refused(client.post(f"{url}/_revs_diff", headers=alice.auth, json={i: ["1-a"] for i in ids}),
            413, "gateway.too_many_ids")
    refused(client.post(f"{url}/_revs_diff", headers=alice.auth, json={"x": ["1-a"] * (4 * IDS + 1)}),
            413, "gateway.too_many_ids")
    refused(client.post(f"{url}/_bulk_get", headers=alice.auth, json={"docs": [{"id": i} for i in ids]}),
            413, "gateway.too_many_ids")
    refused(client.post(f"{url}/_all_docs", headers=alice.auth, json={"keys": ids}), 413, "gateway.too_many_ids")
    refused(client.get(f"{url}/_all_docs", headers=alice.auth, query_string={"keys": json.dumps(ids)}),
            413, "gateway.too_many_ids")
    refused(client.post(f"{url}/_changes", headers=alice.auth, json={"doc_ids": ids}), 413, "gateway.too_many_ids")
    docs = [{"_id": f"hazard:{i:05d}", "type": "hazard"} for i in range(DOCS + 1)]
    refused(client.post(f"{url}/_bulk_docs", headers=alice.auth, json={"docs": docs}), 413, "gateway.too_many_docs")
    big = {f"inspection:{i:07d}": ["1-a"] for i in range(100_000)}   # the 8.6 MB request of the finding
    refused(client.post(f"{url}/_revs_diff", headers=alice.auth, json=big), 413, "gateway.body_too_large")
    assert client.post(f"{url}/_bulk_docs", headers=alice.auth, json={"docs": docs[:DOCS]}).status_code == 201
    assert client.post(f"{url}/_revs_diff", headers=alice.auth,
                       json={i: ["1-a"] for i in ids[:IDS]}).status_code == 200


def test_couchdb_answers_others_while_the_largest_allowed_requests_run(client, field_user, couch_url, app):
    alice = field_user("alice")
    url = f"/sync/{alice.db}"
    assert client.get(f"{url}/", headers=alice.auth).status_code == 200   # the phone's first sight creates it
    ids = [f"inspection:{i:05d}" for i in range(IDS)]
    client.post(f"{url}/_bulk_docs", headers=alice.auth, json={"docs": [{"_id": i, "type": "x"} for i in ids[:DOCS]]})
    largest = [(f"{url}/_revs_diff", {i: [f"{n}-{'a' * 32}" for n in range(1, 5)] for i in ids}),
               (f"{url}/_bulk_get", {"docs": [{"id": i} for i in ids]}), (f"{url}/_all_docs", {"keys": ids})]
    statuses, done = [], threading.Event()

    def heavy():
        for _ in range(3):
            for path, body in largest:
                statuses.append(app.test_client().post(path, headers=alice.auth, json=body).status_code)
        done.set()
    thread = threading.Thread(target=heavy)
    thread.start()
    root = f"http://127.0.0.1:{urlsplit(couch_url).port}/"
    waits = []
    while not done.is_set():
        started = time.monotonic()
        assert httpx.get(root, timeout=10).status_code == 200
        waits.append(time.monotonic() - started)
        time.sleep(0.02)
    thread.join()
    assert statuses == [200] * 9 and len(waits) >= 3
    assert max(waits) < 3, f"CouchDB kept others waiting {max(waits):.2f} s"   # 100,000 ids: 44 s


def cut_upload(base: str, path: str, token: str, announced: int, sent: int) -> None:
    """Announce `announced` bytes, send `sent`, hang up (a phone losing its network mid-upload)."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall((f"PUT {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {announced}\r\n\r\n").encode())
        body = b'{"type": "hazard", "note": "' + b"x" * (sent - 28)
        sock.sendall(body[:sent])
        time.sleep(0.3)


@pytest.mark.parametrize("announced,sent", [(3_000_000, 1_500_000), (200_000, 100_000)])
def test_a_cut_upload_releases_its_thread_at_once(gunicorn_server, field_user, app, announced, sent):
    alice = field_user("alice")
    base = gunicorn_server(threads=1)    # one thread: a request stuck on the cut upload would block the next
    assert httpx.get(f"{base}/sync/{alice.db}/", headers=alice.auth, timeout=10).status_code == 200
    cut_upload(base, f"/sync/{alice.db}/hazard:cut", alice.token, announced, sent)
    started = time.monotonic()
    res = httpx.get(f"{base}/sync/{alice.db}/", headers=alice.auth, timeout=20)
    assert res.status_code == 200 and time.monotonic() - started < 3, "the cut upload held the thread"
    assert server_db(app, alice).get_or_none("hazard:cut") is None
