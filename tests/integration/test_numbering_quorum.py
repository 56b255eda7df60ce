"""A document number is issued only when a quorum of CouchDB's copies holds its claim (server/numbering.py).

CouchDB answers 202 instead of 201 when a write reached fewer copies than asked: here the request asks for
one more copy than the database has, which a real Apache CouchDB answers exactly so (a single node, n=1, or
a cluster, n=3). pouchdb-server keeps one copy and never answers 202: there the test is skipped.
"""
import pytest

from server import numbering
from server.db import database
from sync.couch import Unavailable
from tests.integration.quorum import short_of_quorum


def test_a_counter_write_short_of_a_quorum_issues_no_number(app, monkeypatch):
    with app.app_context():
        records = database("records")
        first = numbering.next_number(records, "order", "370102", 2031)
        real = short_of_quorum(monkeypatch, records, "number%3A")
        with pytest.raises(Unavailable) as refused:
            numbering.next_number(records, "order", "370102", 2031)
        assert refused.value.status == 503 and refused.value.error == "no_quorum"
        monkeypatch.setattr(records.server, "request", real)
        after = numbering.next_number(records, "order", "370102", 2031)
        # the unconfirmed 2, 3 and 4 (one try each before giving up) are gaps, never given to anyone
        assert (first["n"], after["n"]) == (1, 2 + numbering.NO_QUORUM_TRIES)
