"""The gateway pipe's CouchDB session: when it logs in, what it sends, and what a hostile answer changes."""
import base64
import json
import threading
import time

import pytest

from sync.pipe_session import CouchSession, session_cookie

BASIC = ("Authorization", "Basic " + base64.b64encode(b"admin:s3cret").decode())


class Server:
    """Answers the session's logins as told, and counts them."""

    def __init__(self, *answers):
        self.answers, self.bodies = list(answers), []

    def __call__(self, body):
        self.bodies.append(json.loads(body))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_logs_in_once_and_sends_the_cookie():
    server = Server((200, "AuthSession=YWRtaW46Njc4OkFC; Version=1; Path=/; HttpOnly"))
    session = CouchSession(("admin", "s3cret"), server)
    assert [session.header() for _ in range(50)] == [("Cookie", "AuthSession=YWRtaW46Njc4OkFC")] * 50
    assert server.bodies == [{"name": "admin", "password": "s3cret"}]


def test_renews_the_session_when_it_is_old():
    server = Server((200, "AuthSession=first"), (200, "AuthSession=second"))
    session = CouchSession(("admin", "s3cret"), server, renew_s=0.05)
    assert session.header() == ("Cookie", "AuthSession=first")
    time.sleep(0.06)
    assert session.header() == ("Cookie", "AuthSession=second")
    assert len(server.bodies) == 2


@pytest.mark.parametrize("answer", [(404, None), (401, "AuthSession=x"), (200, None), (200, "other=1; Path=/"),
                                    (200, "AuthSession=; Path=/"), ConnectionRefusedError("down"),
                                    (500, "AuthSession=" + "A" * 10)])
def test_a_server_without_sessions_gets_basic_and_is_not_asked_on_every_request(answer):
    server = Server(answer)
    session = CouchSession(("admin", "s3cret"), server)
    assert [session.header() for _ in range(20)] == [BASIC] * 20
    assert len(server.bodies) == 1  # asked again only after renew_s


def test_renew_zero_never_logs_in():
    server = Server((200, "AuthSession=abc"))
    session = CouchSession(("admin", "s3cret"), server, renew_s=0)
    assert session.header() == BASIC and server.bodies == []


def test_a_refused_cookie_is_forgotten_and_the_next_request_logs_in_again():
    server = Server((200, "AuthSession=old"), (200, "AuthSession=new"))
    session = CouchSession(("admin", "s3cret"), server)
    sent = session.header()
    assert session.refused(sent) is True
    assert session.header() == ("Cookie", "AuthSession=new")
    assert session.refused(BASIC) is False  # a refused password is not retried: nothing better to send


def test_a_refusal_of_an_older_cookie_keeps_the_newer_one():
    server = Server((200, "AuthSession=one"), (200, "AuthSession=two"))
    session = CouchSession(("admin", "s3cret"), server)
    stale = session.header()
    session.refused(stale)
    fresh = session.header()
    assert session.refused(stale) is True  # another thread's late 401 …
    assert session.header() == fresh  # … does not throw away the cookie that works


def test_a_refreshed_cookie_from_an_answer_is_taken():
    session = CouchSession(("admin", "s3cret"), Server((200, "AuthSession=one")))
    session.header()
    session.refreshed("AuthSession=two; Version=1; Expires=Tue, 01 Dec 2026 13:00:00 GMT; Path=/")
    assert session.header() == ("Cookie", "AuthSession=two")
    for junk in (None, "", "AuthSession=", "foo=bar", "x" * 100_000):
        session.refreshed(junk)
    assert session.header() == ("Cookie", "AuthSession=two")


def test_an_answer_cannot_start_a_session_that_basic_auth_did_not():
    session = CouchSession(("admin", "s3cret"), Server((404, None)))
    session.header()
    session.refreshed("AuthSession=planted")
    assert session.header() == BASIC


@pytest.mark.parametrize("header,cookie", [
    ("AuthSession=YWRt-_ab; Version=1; Path=/; HttpOnly", "AuthSession=YWRt-_ab"),
    ("a=1; Path=/, AuthSession=xyz; Path=/", "AuthSession=xyz"),
    ("AuthSession=abc\r\nX-Injected: 1", "AuthSession=abc"),
    ("AuthSession=a b", "AuthSession=a"),
    ("authsession=abc", None), ("", None), (None, None)])
def test_session_cookie_parsing(header, cookie):
    assert session_cookie(header) == cookie


def test_one_login_for_many_threads_at_once():
    gate = threading.Event()

    def slow_login(body):
        gate.wait(5)
        return 200, "AuthSession=shared"
    calls = []
    session = CouchSession(("admin", "s3cret"), lambda body: calls.append(1) or slow_login(body))
    results = []
    threads = [threading.Thread(target=lambda: results.append(session.header())) for _ in range(16)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    gate.set()
    for thread in threads:
        thread.join(5)
    assert results == [("Cookie", "AuthSession=shared")] * 16 and len(calls) == 1
