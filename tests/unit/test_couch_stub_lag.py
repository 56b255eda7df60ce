"""A write whose attachment stubs a lagging cluster copy has not got yet (412 missing_stub) is sent again,
briefly; every other refusal is raised at once. A loopback HTTP server answers as a cluster copy would."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sync import couch as couch_mod
from sync.couch import Conflict, Couch

MISSING_STUB = (412, {"error": "missing_stub", "reason": "Invalid attachment stub in x for a.png"})
CREATED = (201, {"ok": True, "id": "x", "rev": "2-abc"})


class Copy:
    """Answers each PUT with the next of `answers` (the last one repeats), and keeps what was sent."""

    def __init__(self, *answers):
        self.answers, self.bodies = list(answers), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):
                outer.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                status, body = outer.answers.pop(0) if len(outer.answers) > 1 else outer.answers[0]
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.couch = Couch(f"http://127.0.0.1:{self.httpd.server_address[1]}", session_renew_s=0)

    def close(self):
        self.couch.close()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(couch_mod, "STUB_WAITS_S", (0.01, 0.01, 0.01))


def doc():
    return {"_id": "x", "_rev": "1-abc", "review_status": "approved",
            "_attachments": {"a.png": {"stub": True, "content_type": "image/png", "digest": "md5-x", "length": 3}}}


def test_a_lagging_copy_is_waited_for(fast):
    copy = Copy(MISSING_STUB, MISSING_STUB, CREATED)
    try:
        sent = doc()
        assert copy.couch.db("records").put(sent)["rev"] == "2-abc"
        assert sent["_rev"] == "2-abc"
        assert len(copy.bodies) == 3 and copy.bodies[0] == copy.bodies[2]   # the same write, unchanged
    finally:
        copy.close()


def test_a_stub_still_missing_after_the_waits_is_raised(fast):
    copy = Copy(MISSING_STUB)
    try:
        with pytest.raises(Conflict) as err:
            copy.couch.db("records").put(doc())
        assert err.value.error == "missing_stub"
        assert len(copy.bodies) == 4   # the first try and one per wait
    finally:
        copy.close()


@pytest.mark.parametrize("answer", [(409, {"error": "conflict", "reason": "Document update conflict."}),
                                    (412, {"error": "file_exists", "reason": "The database exists."}),
                                    (403, {"error": "forbidden", "reason": "no"})])
def test_other_refusals_are_raised_at_once(fast, answer):
    copy = Copy(answer)
    try:
        with pytest.raises(couch_mod.CouchError) as err:
            copy.couch.db("records").put(doc())
        assert err.value.status == answer[0] and err.value.error == answer[1]["error"]
        assert len(copy.bodies) == 1
    finally:
        copy.close()
