"""Signatures bound to content on the server: a record filed by the worker whose signatures name the hash of
its content reads as signed; one changed after signing is flagged on the review page and its signatures are
not printed in the PDF; corrections are shown with their note; hostile binding data is refused at filing."""
from __future__ import annotations

from schemas.signed_content import content_hash
from tests.integration import pdf_tools
from tests.integration.review_fixtures import submit, world
from tests.integration.worker_fixtures import file_until, records

SHA_A, SHA_B = "a" * 64, "b" * 64


def refile(app, filed: dict, change=None, bind: bool = True) -> dict:
    """The phone's record again: `change` applied first, then (if `bind`) every signature bound to the
    content as it then is; filed by the worker. Returns the phone document."""
    db, doc = filed["db"], db_doc(filed)
    hazards = [db.get(h["_id"]) for h in filed["hazards"]]
    if bind:
        digest = content_hash(doc, hazards)
        doc["signatures"] = [{**s, "content_sha256": digest} for s in doc["signatures"]]
    if change:
        change(doc)
    db.put(doc)
    # handled: filed at this revision, or refused at it (on a cluster a lagging copy may show it a run later)
    file_until(app, lambda: (records(app).get_or_none(doc["_id"]), db.get_or_none(f"rejection:{doc['_id']}")),
               lambda found: bool((found[0] and found[0].get("source", {}).get("rev") == doc["_rev"])
                                  or (found[1] and found[1].get("rev") == doc["_rev"])))
    return doc


def db_doc(filed: dict) -> dict:
    return filed["db"].get(filed["inspection"]["_id"])  # with its attachment stubs: the images stay


def page(sup, filed) -> str:
    res = sup.get(f"/console/review/{filed['key']}")
    assert res.status_code == 200
    return res.get_data(as_text=True)


def test_bound_signatures_read_as_signed_and_print(app, login):
    filed = submit(app, world(app))
    refile(app, filed)
    sup = login("supervisor", "370100")
    html = page(sup, filed)
    assert 'data-state="signed"' in html and 'data-state="refused"' in html and "signatures-void" not in html
    assert sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    pdf = sup.get(f"/console/documents/record/{filed['key']}.pdf")
    text = pdf_tools.flat(pdf.data)
    assert len(pdf_tools.images(pdf.data)) == 1 and "已失效" not in text and "拒绝签字" in text


def test_a_change_after_signing_voids_the_signatures_visibly_and_in_the_pdf(app, login):
    filed = submit(app, world(app))

    def changed(doc):
        doc["answers"][0]["note"] = "安全出口已清理"   # after signing, without signing again
    refile(app, filed, change=changed)
    assert records(app).get(filed["inspection"]["_id"])["answers"][0]["note"] == "安全出口已清理"
    sup = login("supervisor", "370100")
    html = page(sup, filed)
    assert 'data-t="signatures-void"' in html and html.count('data-state="void"') == 2
    assert "2 个签名是在内容更改之前签署的" in html
    api = sup.get(f"/api/v1/inspections/{filed['key']}").get_json()["signature_check"]
    assert api["void"] == 2 and api["states"] == ["void", "void"] and len(api["sha256"]) == 64
    assert sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"}).status_code == 200
    pdf = sup.get(f"/console/documents/record/{filed['key']}.pdf")
    text = pdf_tools.flat(pdf.data)
    assert pdf_tools.images(pdf.data) == []                                      # the old image is not printed
    assert "本记录有2个签名是在记录内容更改之前签署的，已失效" in text
    assert "的签名已失效：签名后记录内容已更改，尚未重新签名。" in text
    assert "的拒签记录已失效" in text
    html_preview = sup.get(f"/console/documents/record/{filed['key']}.html").get_data(as_text=True)
    assert "data:image/png" not in html_preview


def test_a_signature_of_an_older_record_is_printed_with_a_note(app, login):
    filed = submit(app, world(app))                 # the fixture's signatures carry no hash
    sup = login("supervisor", "370100")
    assert "sig.banner" not in page(sup, filed) and "未绑定内容摘要" in page(sup, filed)
    sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"})
    pdf = sup.get(f"/console/documents/record/{filed['key']}.pdf")
    assert len(pdf_tools.images(pdf.data)) == 1 and "未记录所签内容的摘要" in pdf_tools.flat(pdf.data)


def test_corrections_show_on_the_review_page_and_in_the_pdf(app, login):
    filed = submit(app, world(app))
    doc, hazards = db_doc(filed), [filed["db"].get(h["_id"]) for h in filed["hazards"]]
    before = content_hash(doc, hazards)

    def corrected(d):
        d["answers"][0]["note"] = "安全出口已清理，堵塞物已搬离"
        after = content_hash(d, hazards)
        d["corrections"] = [{"n": 1, "at": "2026-12-02T02:11:00Z", "note": "补充安全出口整改情况", "from_sha256": before,
                             "to_sha256": after, "changes": [{"part": "answer", "key": "fire-6-5",
                                                              "before": "不符合；说明：安全出口被堵",
                                                              "after": "不符合；说明：安全出口已清理，堵塞物已搬离"}]}]
        d["signatures"] = [{**s, "content_sha256": after} for s in d["signatures"]]
    refile(app, filed, change=corrected, bind=False)
    sup = login("supervisor", "370100")
    html = page(sup, filed)
    assert 'data-t="correction"' in html and "补充安全出口整改情况" in html and "2026年12月2日10时11分" in html
    assert "安全出口已清理，堵塞物已搬离" in html and "signatures-void" not in html
    sup.post(f"/api/v1/inspections/{filed['key']}/review", json={"decision": "approved"})
    text = pdf_tools.flat(sup.get(f"/console/documents/record/{filed['key']}.pdf").data)
    assert "更正记录" in text and "第1次更正" in text and "更正说明：补充安全出口整改情况" in text
    assert "不符合；说明：安全出口被堵" in text


def test_hostile_binding_and_correction_data_is_refused_at_filing(app):
    w = world(app)
    bad = [
        lambda d: d["signatures"][0].update(content_sha256="not-a-hash"),
        lambda d: d["signatures"][0].update(content_sha256="A" * 64),
        lambda d: d.update(corrections=[{"n": 1, "at": "2026-12-02T02:11:00Z", "note": "", "from_sha256": SHA_A,
                                         "to_sha256": SHA_B, "changes": []}]),
        lambda d: d.update(corrections=[{"n": 1, "at": "2026-12-02T02:11:00Z", "note": "ok note", "from_sha256": SHA_A,
                                         "to_sha256": SHA_B, "changes": [{"part": "answer", "key": "k", "before": "",
                                                                          "after": "x" * 301}]}]),
        lambda d: d.update(corrections=[{"n": 1, "at": "yesterday", "note": "ok note", "from_sha256": SHA_A,
                                         "to_sha256": SHA_B, "changes": []}] * 51),
        lambda d: d.update(correcting={"at": "2026-12-02T02:11:00Z", "from_sha256": SHA_A}),
        lambda d: d.update(corrections=[{"n": 1, "at": "2026-12-02T02:11:00Z", "note": "ok note", "from_sha256": SHA_A,
                                         "to_sha256": SHA_B, "changes": [], "extra": "<script>"}]),
    ]
    filed = submit(app, w)
    original = [dict(s) for s in db_doc(filed)["signatures"]]

    def fresh(change):
        def apply(d):
            d["signatures"] = [dict(s) for s in original]
            d.pop("corrections", None)
            d.pop("correcting", None)
            change(d)
        return apply
    for n, change in enumerate(bad):
        refile(app, filed, change=fresh(change), bind=False)
        rev = filed["db"].get(filed["inspection"]["_id"])["_rev"]
        rejection = filed["db"].get_or_none(f"rejection:{filed['inspection']['_id']}")
        assert rejection and rejection["rev"] == rev and rejection["code"] == "field.invalid", (n, rejection)
    refile(app, filed, change=fresh(lambda d: None))                    # the same record, well formed: filed
    assert filed["db"].get_or_none(f"rejection:{filed['inspection']['_id']}") is None
