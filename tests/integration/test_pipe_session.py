"""The gateway's pipe signs in to a real CouchDB-compatible server with a session cookie, and recovers when
the server stops knowing it."""
import time

import pytest

from sync.bootstrap import SECURITY
from sync.couch import Couch, split_credentials
from sync.pipe import Pipe


@pytest.fixture
def scratch(couch_url, db_prefix):
    couch = Couch(couch_url)
    name = db_prefix + "pipe"
    couch.create_db(name)
    couch.db(name).put_security(SECURITY)  # admin-only, as every database of the system
    couch.db(name).put({"_id": "doc1", "kind": "x"})
    yield name
    couch.delete_db(name)
    couch.close()


def counted(pipe: Pipe) -> list:
    """Count the pipe's logins (each is a real POST /_session)."""
    logins, real = [], pipe.session._login

    def login(body):
        logins.append(1)
        return real(body)
    pipe.session._login = login
    return logins


def get(pipe: Pipe, path: str, **kwargs) -> tuple[int, bytes]:
    resp = pipe.open("GET", path, headers={"Accept": "application/json"}, **kwargs)
    try:
        return resp.status_code, resp.read()
    finally:
        resp.close()


def test_one_login_then_the_cookie(couch_url, scratch):
    base, auth = split_credentials(couch_url)
    pipe = Pipe(base, auth)
    logins = counted(pipe)
    assert [get(pipe, f"/{scratch}/doc1")[0] for _ in range(30)] == [200] * 30
    assert len(logins) == 1 and pipe.session._cookie.startswith("AuthSession=")
    # The cookie alone is what admits the pipe: the same request with it and no password works.
    status, _ = get(Pipe(base, None), f"/{scratch}/doc1")
    assert status == 401  # the database is admin-only: without the cookie …
    bare = Pipe(base, None)
    resp = bare.open("GET", f"/{scratch}/doc1", headers={"Accept": "application/json",
                                                         "Cookie": pipe.session._cookie})
    assert resp.status_code == 200  # … and open with the cookie
    resp.close()
    pipe.close()
    bare.close()


FORGED = "AuthSession=YWRtaW46MDpmb3JnZWQ"  # "admin:0:forged": what a restart with a new secret leaves


def test_a_cookie_the_server_does_not_know_is_replaced_and_the_request_retried(couch_url, scratch):
    base, auth = split_credentials(couch_url)
    pipe = Pipe(base, auth)
    logins = counted(pipe)
    assert get(pipe, f"/{scratch}/doc1")[0] == 200
    pipe.session._cookie = FORGED
    assert get(pipe, f"/{scratch}/doc1")[0] == 200
    pipe.session._cookie = FORGED
    resp = pipe.open("POST", f"/{scratch}/_revs_diff", headers={"Content-Type": "application/json"},
                     content=b'{"doc1": ["9-abc"]}')
    assert resp.status_code == 200 and b"9-abc" in resp.read()
    resp.close()
    assert len(logins) == 3


def test_writes_of_documents_go_with_the_password(couch_url, scratch):
    """pouchdb-server answers a stranger's _bulk_docs with 201 and an error per document, which PouchDB would
    count as denied and skip: so the pipe never sends one with the cookie alone."""
    base, auth = split_credentials(couch_url)
    pipe = Pipe(base, auth)
    get(pipe, f"/{scratch}/doc1")
    pipe.session._cookie = FORGED
    resp = pipe.open("POST", f"/{scratch}/_bulk_docs", headers={"Content-Type": "application/json"},
                     content=b'{"docs": [{"_id": "doc2"}]}', session=False)
    assert resp.status_code == 201 and b'"ok":true' in resp.read().replace(b" ", b"")
    resp.close()


def test_a_streamed_body_goes_with_the_password_once_whatever_the_cookie(couch_url, scratch):
    """Apache CouchDB answers a stale cookie with 401 before reading a streamed body and closes the
    connection (a broken pipe, not an answer); pouchdb-server reads the body first. So a streamed body
    never rides on the cookie: it is sent once, with the password, and arrives."""
    base, auth = split_credentials(couch_url)
    pipe = Pipe(base, auth)
    logins = counted(pipe)
    get(pipe, f"/{scratch}/doc1")
    sent = []

    def stream(size):
        sent.append(1)
        yield b'{"kind": "streamed", "pad": "'
        for _ in range(size // 65536):
            yield b"x" * 65536
        yield b'"}'
    for n, size in enumerate((100, 3 * 1024 * 1024, 3 * 1024 * 1024)):
        pipe.session._cookie = FORGED  # what a CouchDB restart with a new secret leaves
        resp = pipe.open("PUT", f"/{scratch}/big{n}", headers={"Content-Type": "application/json"},
                         content=stream(size))
        assert resp.status_code == 201, resp.read()
        resp.read()
        resp.close()
    assert sent == [1, 1, 1] and logins == [1]  # each body sent once; no login was needed for them
    assert [get(pipe, f"/{scratch}/big{n}")[0] for n in range(3)] == [200] * 3
    assert get(pipe, f"/{scratch}/doc1")[0] == 200 and len(logins) == 2  # the cookie is renewed on a read


def test_renewal_and_basic_only(couch_url, scratch):
    base, auth = split_credentials(couch_url)
    pipe = Pipe(base, auth, session_renew_s=0.2)
    logins = counted(pipe)
    get(pipe, f"/{scratch}/doc1")
    time.sleep(0.25)
    assert get(pipe, f"/{scratch}/doc1")[0] == 200 and len(logins) == 2
    basic = Pipe(base, auth, session_renew_s=0)
    logins = counted(basic)
    assert [get(basic, f"/{scratch}/doc1")[0] for _ in range(5)] == [200] * 5 and logins == []


def test_a_wrong_password_fails_as_before(couch_url, scratch):
    base, (user, _) = split_credentials(couch_url)
    pipe = Pipe(base, (user, "not the password"))
    assert get(pipe, f"/{scratch}/doc1")[0] in (401, 403)
    assert pipe.session._cookie is None
