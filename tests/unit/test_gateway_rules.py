"""Sync gateway rules: whose database, which endpoint and method, which query parameters (pure, no CouchDB)."""
import json

import pytest

from i18n import Problem
from server.gateway import query, rules

OWN = "inspector_3f2a9c1b0d4e"
MOUNT = "/sync"


def segs(raw: str) -> list[str]:
    """Segments as the view sees them: the raw URI, and the path Werkzeug decoded from it."""
    from urllib.parse import unquote
    return rules.path_segments(raw, MOUNT, unquote(raw.split("?")[0]))


def refused(code, fn, *args):
    with pytest.raises(Problem) as caught:
        fn(*args)
    assert caught.value.code == code, caught.value.code
    return caught.value


def test_own_db_for_field_roles_only():
    assert rules.own_db({"role": "inspector", "inspector_id": "inspector:3f2a9c1b0d4e"}) == OWN
    assert rules.own_db({"role": "expert", "inspector_id": "inspector:3f2a9c1b0d4e"}) == OWN
    for role in ("supervisor", "admin", "public", None):
        refused("gateway.role", rules.own_db, {"role": role, "inspector_id": "inspector:3f2a9c1b0d4e"})
    for bad in (None, "", "inspector:3F2A9C1B0D4E", "inspector:3f2a", "inspector:3f2a9c1b0d4e/../x",
                "registry", ["inspector:3f2a9c1b0d4e"], "inspector:3f2a9c1b0d4e\n"):
        refused("gateway.unlinked", rules.own_db, {"role": "inspector", "inspector_id": bad})


@pytest.mark.parametrize("raw, kind, path", [
    (f"/sync/{OWN}/", "info", ""),
    (f"/sync/{OWN}", "info", ""),
    (f"/sync/{OWN}/_changes?since=0", "changes", "/_changes"),
    (f"/sync/{OWN}/_local/abc-def", "local", "/_local/abc-def"),
    (f"/sync/{OWN}/_local%2Fabc", "local", "/_local/abc"),
    (f"/sync/{OWN}/photo%3A1", "doc", "/photo%3A1"),
    (f"/sync/{OWN}/a..b", "doc", "/a..b"),
    (f"/sync/{OWN}/photo:1/dir/p%20q.jpg", "attachment", "/photo%3A1/dir/p%20q.jpg"),
    (f"/sync/{OWN}/%E5%AE%89%E5%85%A8", "doc", "/%E5%AE%89%E5%85%A8"),
])
def test_replication_paths_are_recognised_and_re_encoded(raw, kind, path):
    route = rules.classify("GET", segs(raw), OWN)
    assert (route.kind, route.path) == (kind, path)


@pytest.mark.parametrize("raw, code", [
    ("/sync/inspector_000000000000/", "gateway.not_yours"),
    ("/sync/registry/", "gateway.db_name"),
    ("/sync/_users/", "gateway.db_name"),
    (f"/sync/{OWN}%0A/", "gateway.path"),
    ("/sync/_all_dbs", "gateway.db_name"),
    ("/sync/_replicate", "gateway.db_name"),
    ("/sync/INSPECTOR_3F2A9C1B0D4E/", "gateway.db_name"),
    (f"/sync/t1_{OWN}/", "gateway.db_name"),
    (f"/sync/{OWN}%2F..%2Fregistry", "gateway.db_name"),
    (f"/sync/{OWN}/../registry", "gateway.path"),
    (f"/sync/{OWN}/%2e%2e/registry", "gateway.path"),
    (f"/sync/{OWN}/./_changes", "gateway.path"),
    (f"/sync/{OWN}//_changes", "gateway.path"),
    (f"/sync/{OWN}/doc/", "gateway.path"),
    (f"/sync/{OWN}/%zz", "gateway.path"),
    (f"/sync/{OWN}/%ff%fe", "gateway.path"),
    (f"/sync/{OWN}/a%00b", "gateway.path"),
    (f"/sync/{OWN}/_design/x", "gateway.design"),
    (f"/sync/{OWN}/_design%2Fx", "gateway.design"),
    (f"/sync/{OWN}/_design/x/_view/y", "gateway.design"),
    (f"/sync/{OWN}/_security", "gateway.endpoint"),
    (f"/sync/{OWN}/_find", "gateway.endpoint"),
    (f"/sync/{OWN}/_purge", "gateway.endpoint"),
    (f"/sync/{OWN}/_changes/x", "gateway.endpoint"),
    (f"/sync/{OWN}/_local", "gateway.endpoint"),
    (f"/sync/{OWN}/_local/a/b", "gateway.endpoint"),
    (f"/sync/{OWN}/doc/_att", "gateway.attachment_name"),
    (f"/sync/{OWN}/a%2Fb", "gateway.doc_id"),
    (f"/sync/{OWN}/..%2Finspector_000000000000", "gateway.doc_id"),
    (f"/sync/{OWN}/_local/a%2Fb", "gateway.doc_id"),
    (f"/sync/{OWN}/_local%2Fa%2Fb", "gateway.doc_id"),
])
def test_everything_else_is_refused_with_its_reason(raw, code):
    def decide():
        rules.classify("GET", segs(raw), OWN)
    refused(code, decide)


def test_methods_per_endpoint():
    assert rules.classify("POST", segs(f"/sync/{OWN}/_bulk_docs"), OWN).body == "json_write"
    assert rules.classify("PUT", segs(f"/sync/{OWN}/photo:1/p.jpg"), OWN).cap == "attachment"
    assert rules.classify("PUT", segs(f"/sync/{OWN}/doc"), OWN).cap == "doc"
    assert rules.classify("DELETE", segs(f"/sync/{OWN}/_local/x"), OWN).body == "none"
    for method, raw in (("DELETE", "/"), ("PUT", "/"), ("POST", "/"), ("GET", "/_bulk_docs"), ("DELETE", "/doc"),
                        ("COPY", "/doc"), ("PATCH", "/doc"), ("POST", "/doc"), ("DELETE", "/doc/a.jpg"),
                        ("GET", "/_revs_diff"), ("PUT", "/_changes")):
        problem = refused("gateway.method", rules.classify, method, segs(f"/sync/{OWN}{raw}"), OWN)
        assert problem.params["allowed"]


def test_raw_uri_that_does_not_match_the_routed_path_falls_back_to_the_decoded_one():
    assert rules.path_segments("/elsewhere/x", MOUNT, f"/sync/{OWN}/a") == [OWN, "a"]
    assert rules.path_segments(None, MOUNT, f"/sync/{OWN}/a") == [OWN, "a"]
    assert rules.path_segments(f"http://h:1/sync/{OWN}/a%2Fb?x=1", MOUNT, f"/sync/{OWN}/a/b") == [OWN, "a/b"]
    refused("gateway.path", rules.path_segments, None, MOUNT, "/elsewhere")


def test_query_whitelist_and_forms():
    got = query.check_query("changes", "GET", [("since", "12"), ("limit", "100"), ("style", "all_docs"),
                                               ("heartbeat", "10000"), ("_nonce", "123"), ("feed", "longpoll")])
    assert got == {"since": "12", "limit": "100", "style": "all_docs", "feed": "longpoll"}
    assert query.check_query("changes", "GET", [("since", "5-g1AAAAB_x-y")])["since"] == "5-g1AAAAB_x-y"
    assert query.check_query("doc", "GET", [("open_revs", '["1-abc","2-def"]'), ("revs", "true")])
    assert query.check_query("all_docs", "GET", [("startkey", '"photo:"'), ("keys", '["a"]')])
    refused("gateway.feed", query.check_query, "changes", "GET", [("feed", "continuous")])
    refused("gateway.feed", query.check_query, "changes", "GET", [("feed", "eventsource")])
    refused("gateway.filter", query.check_query, "changes", "GET", [("filter", "_selector")])
    refused("gateway.filter", query.check_query, "changes", "GET", [("filter", "ddoc/missing")])
    refused("gateway.filter", query.check_query, "changes", "GET", [("filter", "_view")])
    refused("gateway.param", query.check_query, "changes", "GET", [("view", "a/b")])
    refused("gateway.param", query.check_query, "bulk_docs", "POST", [("_nonce", "1")])
    refused("gateway.param_repeated", query.check_query, "changes", "GET", [("since", "1"), ("since", "2")])
    for name, value in (("since", '{"a":1}'), ("since", "-1"), ("limit", "-1"), ("limit", "1e9"),
                        ("limit", "9" * 11), ("include_docs", "1"), ("style", "x"), ("doc_ids", '"a"'),
                        ("doc_ids", "[1]"), ("doc_ids", "not json"), ("heartbeat", "false"), ("feed", "x"),
                        ("limit", "5\n"), ("since", "0\n"), ("since", "now\n")):
        refused("gateway.param_value", query.check_query, "changes", "GET", [(name, value)])
    for name, value in (("rev", "abc"), ("rev", "1-" + "a" * 65), ("rev", "1-abc\n"), ("open_revs", '["x"]'), ("atts_since", "[]x")):
        refused("gateway.param_value", query.check_query, "doc", "GET", [(name, value)])
    refused("gateway.param_value", query.check_query, "all_docs", "GET", [("startkey", "photo:")])


def test_changes_body_and_doc_ids():
    assert query.changes_doc_ids(b'{"doc_ids": ["a", "b"]}') == ["a", "b"]
    assert query.changes_doc_ids(b"") is None and query.changes_doc_ids(b"{}") is None
    refused("gateway.filter", query.changes_doc_ids, b'{"selector": {"type": "task"}}')
    refused("gateway.json", query.changes_doc_ids, b'{"doc_ids": [')
    refused("gateway.json", query.changes_doc_ids, "{}".encode("utf-16"))
    for body in (b"[]", b'{"doc_ids": "a"}', b'{"doc_ids": [1]}', b'{"doc_ids": [""]}', b'{"x": 1}',
                 json.dumps({"doc_ids": ["a"] * 10_001}).encode(), b" " * (query.CHANGES_BODY_LIMIT + 1)):
        refused("gateway.changes_body", query.changes_doc_ids, body)
    assert query.normalise_changes({"since": "0"}, ["a"])["filter"] == "_doc_ids"
    assert query.normalise_changes({"doc_ids": '["a"]'}, None)["filter"] == "_doc_ids"
    assert "filter" not in query.normalise_changes({"since": "0"}, None)
    refused("gateway.doc_ids", query.normalise_changes, {"filter": "_doc_ids"}, None)
    assert json.loads(query.json_body(["a"])) == {"doc_ids": ["a"]} and query.json_body(None) == b"{}"
