"""Re-import never erases data (issue 17): only the file's columns update; a dry run shows per row what
would happen and writes nothing; counts are in rows."""
from __future__ import annotations

from server.db import registry
from server.registry import store
from tests.integration.helpers import uscc
from tests.integration.test_imports import HEADER, count, row, sup, upload  # noqa: F401  (sup: fixture)

REQUIRED = "企业名称,统一社会信用代码,行政区划代码,行业,地址"


def _stored(app, code: str) -> tuple[dict, dict]:
    with app.app_context():
        return registry().get(store.enterprise_id(code)), registry().get(store.site_id(code, 1))


def _strip(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in ("_rev", "updated_at", "import_id", "name", "search")}


def test_a_file_with_only_the_required_columns_changes_nothing_else(app, sup):
    code = uscc()
    assert upload(sup, "enterprises", f"{HEADER}\n{row(code, risk='红', std='一级')}\n".encode()).status_code == 200
    with app.app_context():   # set by hand in the console: no column for these in the file
        ent = registry().get(store.enterprise_id(code))
        registry().put({**ent, "credit_level": "A", "flags": ["penalty"]})
        site = registry().get(store.site_id(code, 1))
        registry().put({**site, "radius_m": 800})
    before_ent, before_site = _stored(app, code)
    res = upload(sup, "enterprises", f"{REQUIRED}\n新名称有限公司,{code},370102,机械,历下区经十路1号\n".encode())
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["updated"] == 1 and res.get_json()["created"] == 0
    after_ent, after_site = _stored(app, code)
    assert after_ent["name"] == "新名称有限公司"
    assert _strip(after_ent) == _strip(before_ent)   # risk, standardisation, legal rep, phone, credit, flags
    assert (after_site["lng"], after_site["lat"], after_site["radius_m"]) == (before_site["lng"],
                                                                              before_site["lat"], 800)


def test_an_empty_cell_does_not_erase_a_stored_value(app, sup):
    code = uscc()
    assert upload(sup, "enterprises", f"{HEADER}\n{row(code, risk='红')}\n".encode()).status_code == 200
    before, _ = _stored(app, code)
    res = upload(sup, "enterprises", f"{HEADER}\n{row(code, risk='', lng='', lat='')}\n".encode())
    assert res.status_code == 200 and res.get_json()["unchanged_rows"] == 1
    assert _strip(_stored(app, code)[0]) == _strip(before)


def test_a_dry_run_previews_every_row_and_writes_nothing(app, sup):
    same, changed, new = uscc(), uscc(), uscc()
    assert upload(sup, "enterprises", f"{HEADER}\n{row(same)}\n{row(changed, risk='黄')}\n".encode()).status_code == 200
    before = count(app, "enterprise"), _stored(app, changed)
    lines = [HEADER, row(same), row(changed, risk="红", lng="117.06"), row(new), row(region="999999")]
    res = sup.post("/api/v1/imports/enterprises?dry_run=1",
                   data={"file": (__import__("io").BytesIO("\n".join(lines).encode()), "f.csv")},
                   content_type="multipart/form-data")
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["dry_run"] is True
    assert body["counts"] == {"rows": 4, "create": 1, "update": 1, "unchanged": 1, "error": 1}
    actions = {item["line"]: item for item in body["preview"]}
    assert actions[2]["action"] == "unchanged" and actions[4]["action"] == "create"
    assert actions[3]["action"] == "update" and actions[3]["fields"] == ["risk", "site.lng"]
    assert actions[5]["action"] == "error" and actions[5]["errors"][0]["field"] == "region"
    assert body["problem_count"] == 1
    assert (count(app, "enterprise"), _stored(app, changed)) == before   # nothing written


def test_a_dry_run_of_many_bad_rows_lists_the_first_ones_and_counts_all(app, sup):
    lines = [HEADER] + [row(region="999999") for _ in range(450)]
    res = sup.post("/api/v1/imports/enterprises?dry_run=1",
                   data={"file": (__import__("io").BytesIO("\n".join(lines).encode()), "f.csv")},
                   content_type="multipart/form-data")
    body = res.get_json()
    assert res.status_code == 200 and body["counts"]["error"] == 450 and body["problem_count"] >= 450
    assert len(body["preview"]) == 200 and len(body["problems"]) == 200


def test_the_dry_run_is_for_staff_only(app, client, login):
    lines = [HEADER, row()]
    data = {"file": (__import__("io").BytesIO("\n".join(lines).encode()), "f.csv")}
    assert client.post("/api/v1/imports/enterprises?dry_run=1", data=data,
                       content_type="multipart/form-data").status_code in (401, 403)
    inspector = login("inspector", "370102")
    data = {"file": (__import__("io").BytesIO("\n".join(lines).encode()), "f.csv")}
    assert inspector.post("/api/v1/imports/enterprises?dry_run=1", data=data,
                          content_type="multipart/form-data").status_code == 403
