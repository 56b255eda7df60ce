"""Who may see which document (scope matrix for every route), audit of each access, drafts, refusals."""
from __future__ import annotations

import pytest

from server import audit
from server.db import database
from tests.integration import records_fixtures as rf
from tests.integration.documents_env import module_app, signed_in

KINDS = ("record", "order", "opinion")
# (role, region) → what every numbered document of 历下区 (370102) answers.
MATRIX = [
    ("admin", "370000", 200), ("supervisor", "370102", 200), ("supervisor", "370100", 200),
    ("supervisor", "370000", 200), ("supervisor", "370103", 404), ("supervisor", "370200", 404),
    ("supervisor", "110101", 404), ("inspector", "370102", 403), ("expert", "370102", 403),
]


@pytest.fixture(scope="module")
def env(couch_url):
    with module_app(couch_url) as app:
        show = rf.showcase(app)
        pending = rf.file_inspection(app, show.world, rf.phone_inspection(show.world))       # not yet approved
        _hazard, loose_case = rf.file_hazard(app, pending, "未下达指令的隐患")                 # no order
        unnumbered = rf.issue_order(app, pending, [(loose_case, "2026-07-01")], None)          # an order without a number
        _h2, waiting = rf.file_hazard(app, pending, "已下达指令、尚未复查的隐患")
        rf.issue_order(app, pending, [(waiting, "2026-07-01")], "（历下）应急责改〔2026〕9号")
        _h3, orphan = rf.file_hazard(app, pending, "从未下达指令的隐患")
        clients = {(role, region): signed_in(app, role, region) for role, region, _ in MATRIX}
        yield {"app": app, "show": show, "pending": pending, "unnumbered": unnumbered, "waiting": waiting,
               "orphan": orphan, "clients": clients, "admin": clients[("admin", "370000")],
               "county": clients[("supervisor", "370102")], "other": clients[("supervisor", "370103")]}


def uuid_of(doc: dict) -> str:
    return doc["_id"].split(":", 1)[1]


def urls(env) -> dict[str, str]:
    show = env["show"]
    return {"record": uuid_of(show.inspection), "order": uuid_of(show.order), "opinion": uuid_of(show.cases[0])}


@pytest.mark.parametrize("role,region,status", MATRIX)
@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_scope_matrix(env, role, region, status, fmt):
    client = env["clients"][(role, region)]
    for kind, uuid in urls(env).items():
        res = client.get(f"/console/documents/{kind}/{uuid}.{fmt}", headers={"Accept": "application/json"})
        assert res.status_code == status, (kind, fmt, res.status_code)
        if status != 200:
            assert b"\xe6\xb5\x8e\xe5\x8d\x97\xe7\xa4\xba\xe4\xbe\x8b" not in res.data   # nothing of the document (济南示例)
            assert res.get_json()["code"] == {403: "forbidden", 404: "not_found"}[status]


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_anonymous_is_sent_to_sign_in(env, fmt):
    client = env["app"].test_client()
    for kind, uuid in urls(env).items():
        res = client.get(f"/console/documents/{kind}/{uuid}.{fmt}")
        assert res.status_code == 302 and "/login?next=/console/documents/" in res.headers["Location"], kind


def test_each_access_is_audited_with_who_what_and_the_number(env):
    env["county"].get(f"/console/documents/order/{urls(env)['order']}.pdf")
    env["admin"].get(f"/console/documents/opinion/{urls(env)['opinion']}.html?n=1")
    with env["app"].app_context():
        order_entries = audit.entries_for(database("audit"), env["show"].order["_id"])
        case_entries = audit.entries_for(database("audit"), env["show"].cases[0]["_id"])
        assert audit.verify_chain(database("audit"))["ok"]
    assert any(e["actor"] == "supervisor370102" and e["action"] == "document.order.pdf"
               and e["details"]["number"] == "（历下）应急责改〔2026〕3号" for e in order_entries)
    assert any(e["actor"] == "admin370000" and e["action"] == "document.opinion.html" and e["details"]["n"] == 1
               for e in case_entries)


def test_refused_and_out_of_scope_reads_are_not_audited_as_views(env):
    with env["app"].app_context():
        before = len(audit.entries_for(database("audit"), env["show"].inspection["_id"]))
    env["other"].get(f"/console/documents/record/{urls(env)['record']}.pdf")
    env["clients"][("inspector", "370102")].get(f"/console/documents/record/{urls(env)['record']}.pdf")
    with env["app"].app_context():
        assert len(audit.entries_for(database("audit"), env["show"].inspection["_id"])) == before


@pytest.mark.parametrize("path", [
    "/console/documents/record/00000000-0000-4000-8000-000000000000.pdf",
    "/console/documents/order/00000000-0000-4000-8000-000000000000.html",
    "/console/documents/opinion/00000000-0000-4000-8000-000000000000.html",
    "/console/documents/record/not-a-uuid.pdf", "/console/documents/memo/00000000-0000-4000-8000-000000000000.pdf",
    "/console/documents/record/00000000-0000-4000-8000-000000000000.docx",
    "/console/documents/record/00000000-0000-4000-8000-00000000000A.pdf",
    "/console/documents/record/" + "a" * 5000 + ".pdf",
])
def test_unknown_documents_are_not_found(env, path):
    assert env["admin"].get(path, headers={"Accept": "application/json"}).status_code == 404


def test_a_document_of_another_kind_is_not_found_under_a_wrong_kind(env):
    order_uuid = urls(env)["order"]
    assert env["admin"].get(f"/console/documents/record/{order_uuid}.html").status_code == 404


def test_a_record_not_yet_approved_previews_as_draft_and_refuses_the_pdf(env):
    uuid = uuid_of(env["pending"])
    html = env["county"].get(f"/console/documents/record/{uuid}.html")
    body = html.get_data(as_text=True)
    assert html.status_code == 200 and "草稿" in body and "（草稿，尚未编号）" in body and ".pdf" not in body
    pdf = env["county"].get(f"/console/documents/record/{uuid}.pdf", headers={"Accept": "application/json"})
    assert pdf.status_code == 409 and pdf.get_json()["code"] == "document_not_numbered"
    page = env["county"].get(f"/console/documents/record/{uuid}.pdf", headers={"Accept": "text/html"})
    assert page.status_code == 409 and "尚未编号" in page.get_data(as_text=True)


def test_an_order_without_a_number_is_a_draft_too(env):
    uuid = uuid_of(env["unnumbered"])
    assert "草稿" in env["county"].get(f"/console/documents/order/{uuid}.html").get_data(as_text=True)
    res = env["county"].get(f"/console/documents/order/{uuid}.pdf", headers={"Accept": "application/json"})
    assert res.status_code == 409 and res.get_json()["code"] == "document_not_numbered"


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_no_opinion_without_an_order(env, fmt):
    uuid = uuid_of(env["orphan"])
    res = env["county"].get(f"/console/documents/opinion/{uuid}.{fmt}", headers={"Accept": "application/json"})
    body = res.get_json()
    assert res.status_code == 409 and body["code"] == "opinion_without_order" and body["status"] == 409
    assert "责令限期整改指令书" in body["message"]
    # out of scope, the refusal is not even told: the case does not exist for that supervisor
    assert env["other"].get(f"/console/documents/opinion/{uuid}.{fmt}").status_code == 404


def test_no_opinion_before_a_reinspection_is_recorded(env):
    uuid = uuid_of(env["waiting"])
    res = env["county"].get(f"/console/documents/opinion/{uuid}.html", headers={"Accept": "application/json"})
    assert res.status_code == 409 and res.get_json()["code"] == "opinion_without_reinspection"


@pytest.mark.parametrize("query,status", [("?n=1", 200), ("", 200), ("?n=2", 404), ("?n=0", 422), ("?n=-1", 422),
                                          ("?n=abc", 422), ("?n=1000", 422), ("?n=" + "9" * 400, 422), ("?n=1.0", 422)])
def test_which_reinspection(env, query, status):
    uuid = urls(env)["opinion"]
    res = env["county"].get(f"/console/documents/opinion/{uuid}.html{query}", headers={"Accept": "application/json"})
    assert res.status_code == status, res.data[:200]
    if status == 422:
        assert res.get_json()["code"] == "validation" and "n" in res.get_json()["errors"]


def test_the_second_case_of_the_same_reinspection_gives_the_same_opinion(env):
    first = env["county"].get(f"/console/documents/opinion/{urls(env)['opinion']}.html").get_data(as_text=True)
    second = env["county"].get(f"/console/documents/opinion/{uuid_of(env['show'].cases[1])}.html").get_data(as_text=True)
    for text in (first, second):
        assert "（历下）应急复查〔2026〕5号" in text and "证书已复审" in text and "仓库搬迁方案已制定" in text
