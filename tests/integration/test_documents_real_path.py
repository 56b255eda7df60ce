"""The documents from records made the real way: a phone's record filed by the worker and approved through
the review API, an order issued through the hazard API, a re-inspection answered on a phone and approved —
each document carries the number the server took, and only once the number exists."""
from __future__ import annotations

from tests.integration import pdf_tools
from tests.integration.review_fixtures import TEAM
from tests.integration.test_hazards_api import FIVE, H, loop_world, order  # noqa: F401  (fixture)
from tests.integration.worker_fixtures import inspection, phone_db, records, run_worker
from tests.integration.review_fixtures import submit, world


def pdf_text(sup, kind: str, uuid: str, query: str = "") -> str:
    res = sup.get(f"/console/documents/{kind}/{uuid}.pdf{query}")
    assert res.status_code == 200, (kind, res.status_code, res.get_data(as_text=True)[:300])
    return pdf_tools.text(res.data)


def typeset(number: str) -> str:
    return number.replace("(", "（").replace(")", "）")


def test_every_document_carries_the_number_the_server_took(app, loop_world):
    sup, major, key = loop_world["sup"], loop_world["major"], loop_world["filed"]["key"]
    filed = records(app).get(f"inspection:{key}")
    assert filed["review_status"] == "approved" and filed["number"]
    assert typeset(filed["number"]) in pdf_text(sup, "record", key)

    sup.post(f"{H}/{major}/five_in_place", json=FIVE)
    res = order(sup, loop_world, (major, 10))
    assert res.status_code == 201, res.get_json()
    issued = res.get_json()
    order_text = pdf_text(sup, "order", issued["id"].split(":", 1)[1])
    assert typeset(issued["number"]) in order_text and "行政复议" in order_text

    opinion = sup.get(f"/console/documents/opinion/{major}.pdf")
    assert opinion.status_code == 409                                       # an order, but no re-inspection yet
    sup.post(f"{H}/{major}/rectify", json={"text": "已更换防爆电气设备", "photos": []})
    task = sup.post(f"{H}/{major}/reinspection", json={"cases": [major], "inspectors": TEAM}).get_json()
    stored = phone_db(app, TEAM[1]).get(task["id"])
    answer = inspection(app, {**stored, "_id": task["id"]}, checklist="checklist:reinspection:v1",
                        answers=[{"item": f"hazard:{major}", "value": "pass", "note": "已整改到位"}])
    phone_db(app, TEAM[1]).put(answer)
    run_worker(app)
    approved = sup.post(f"/api/v1/inspections/{answer['_id'].split(':', 1)[1]}/review", json={"decision": "approved"})
    assert approved.status_code == 200, approved.get_json()
    assert typeset(approved.get_json()["opinion_number"]) in pdf_text(sup, "opinion", major)


def test_an_unreviewed_record_is_a_draft_and_has_no_pdf(app, login):
    filed = submit(app, world(app))
    sup = login("supervisor", "370100")
    preview = sup.get(f"/console/documents/record/{filed['key']}.html")
    assert preview.status_code == 200 and "草稿" in preview.get_data(as_text=True)
    assert sup.get(f"/console/documents/record/{filed['key']}.pdf").status_code == 409


def test_the_console_pages_link_their_documents(app, loop_world):
    sup, major, key = loop_world["sup"], loop_world["major"], loop_world["filed"]["key"]
    page = sup.get(f"/console/review/{key}").get_data(as_text=True)
    assert f"/console/documents/record/{key}.html" in page and f"/console/documents/record/{key}.pdf" in page
    sup.post(f"{H}/{major}/five_in_place", json=FIVE)
    issued = order(sup, loop_world, (major, 10)).get_json()
    case_page = sup.get(f"/console/hazards/{major}").get_data(as_text=True)
    assert f"/console/documents/order/{issued['id'].split(':', 1)[1]}.pdf" in case_page
