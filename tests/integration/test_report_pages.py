"""The verification and reward pages in both languages at each stage: words only (no internal key or code
shown to people, tests/key_scan.py), and nothing about the reporter."""
import pytest

from tests.integration.report_fixtures import IDENTITY_MARK, RECEIPT_MARK, SALT_MARK, key_of, verifying_report
from tests.integration.review_fixtures import TEAM, submit, world
from tests.key_scan import key_like, visible_text
from server.db import registry


def scan(session, path: str, lang: str) -> str:
    res = session.get(path + f"?lang={lang}")
    assert res.status_code == 200, path
    html = res.get_data(as_text=True)
    assert not key_like(visible_text(html)), (path, lang, key_like(visible_text(html)))
    for mark in (IDENTITY_MARK, RECEIPT_MARK, SALT_MARK):
        assert mark not in html
    return html


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_stage_reads_in_words(app, login, lang):
    w = world(app)
    doc = verifying_report(app, w)
    sup, second = login("supervisor", "370100"), login("supervisor", "370102", username="second")
    page = f"/console/reports/{key_of(doc)}/verify"
    html = scan(sup, page, lang)
    assert 'data-t="open-form"' in html and "张伟" in html
    sup.post(page, data={"inspectors": TEAM, "csrf_token": sup.csrf})
    html = scan(sup, page, lang)
    assert 'data-t="task-facts"' in html and 'data-t="outcome-form"' in html
    with app.app_context():
        task = registry().find({"type": "task", "report": doc["_id"]}, limit=1)[0]
    filed = submit(app, w, task=task)
    second.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"})
    html = scan(sup, page, lang)
    assert 'data-t="outcome"' in html and 'data-t="propose-form"' in html
    sup.post(f"/console/reports/{key_of(doc)}/reward/propose",
             data={"grade": "major", "amount": "4000", "basis": "经查属实的重大事故隐患", "csrf_token": sup.csrf})
    scan(sup, page, lang)
    assert 'data-t="approve-form"' in scan(second, page, lang)
    scan(second, "/console/reports/rewards", lang)
    second.post(f"/console/reports/{key_of(doc)}/reward/approve", data={"csrf_token": second.csrf})
    assert 'data-t="pay-form"' in scan(sup, page, lang)
    scan(sup, "/console/reports/rewards", lang)
    scan(sup, "/console/", lang)
