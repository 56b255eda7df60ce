"""Bulk import through the API: formats, encodings, all-or-nothing, re-import, hostile files."""
import io

import openpyxl
import pytest

from server.db import registry
from tests.integration.helpers import uscc

HEADER = "企业名称,统一社会信用代码,行政区划代码,行业,地址,法定代表人,联系电话,经度,纬度,风险等级,标准化等级"


def row(code=None, name="济南导入测试有限公司", region="370102", industry="机械", lng="117.05", lat="36.66",
        risk="黄", std="三级"):
    return f"{name},{code or uscc(region)},{region},{industry},历下区经十路1号,王五,0531-1234567,{lng},{lat},{risk},{std}"


def upload(session, kind, data: bytes, filename="file.csv"):
    return session.post(f"/api/v1/imports/{kind}", data={"file": (io.BytesIO(data), filename)},
                        content_type="multipart/form-data")


def count(app, doc_type):
    with app.app_context():
        return len(registry().find({"type": doc_type, "region": {"$gt": None}}, limit=100000))


@pytest.fixture
def sup(login):
    return login("supervisor", "370100")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding_excel_writes(app, sup, encoding):
    text = "\n".join([HEADER, row(), row(region="370112")]) + "\n"
    res = upload(sup, "enterprises", text.encode(encoding))
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["created"] == 2   # two rows: enterprises, each with its main site (counted in rows)
    assert count(app, "enterprise") == 2 and count(app, "site") == 2


def test_xlsx_import_and_english_headers(app, sup):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "USCC", "Region code", "Industry", "Address", "Longitude", "Latitude"])
    ws.append(["XLSX测试有限公司", uscc(), 370102, "machinery", "历下区", 117.05, 36.66])
    buf = io.BytesIO()
    wb.save(buf)
    res = upload(sup, "enterprises", buf.getvalue(), "register.xlsx")
    assert res.status_code == 200, res.get_json()
    assert count(app, "enterprise") == 1


def test_any_bad_row_imports_nothing_and_every_bad_row_is_reported(app, sup):
    good, dup = uscc(), uscc()
    lines = [HEADER, row(good), row("91370102MA3C5EXJ4I"), row(region="999999"), row(lng="36.66", lat="117.05"),
             row(dup), row(dup), row(industry="不存在的行业"), row(lng="abc")]
    res = upload(sup, "enterprises", "\n".join(lines).encode("utf-8"))
    assert res.status_code == 422
    body = res.get_json()
    assert body["code"] == "import_rejected"
    bad_lines = sorted({p["line"] for p in body["errors"]})
    assert bad_lines == [3, 4, 5, 7, 8, 9], body["errors"]
    assert count(app, "enterprise") == 0 and count(app, "site") == 0


def test_reimport_updates_by_key_and_unchanged_rows_are_not_rewritten(app, sup):
    code = uscc()
    assert upload(sup, "enterprises", f"{HEADER}\n{row(code, risk='黄')}\n".encode()).status_code == 200
    res = upload(sup, "enterprises", f"{HEADER}\n{row(code, risk='红')}\n".encode())
    assert res.status_code == 200 and res.get_json()["created"] == 0 and res.get_json()["updated"] == 1
    assert sup.get(f"/api/v1/enterprises/{code}").get_json()["risk"] == "red"
    res = upload(sup, "enterprises", f"{HEADER}\n{row(code, risk='红')}\n".encode())
    assert res.get_json()["updated"] == 0 and res.get_json()["unchanged_rows"] == 1


def test_rows_outside_the_region_are_refused(app, login):
    lixia = login("supervisor", "370102")
    res = upload(lixia, "enterprises", f"{HEADER}\n{row(region='370112')}\n".encode())
    assert res.status_code == 422 and res.get_json()["errors"][0]["field"] == "region"
    assert count(app, "enterprise") == 0


def test_existing_key_from_another_region_is_not_overwritten(app, login):
    code = uscc("370112")
    licheng, lixia = login("supervisor", "370112"), login("supervisor", "370102")
    assert upload(licheng, "enterprises", f"{HEADER}\n{row(code, region='370112')}\n".encode()).status_code == 200
    res = upload(lixia, "enterprises", f"{HEADER}\n{row(code, region='370102')}\n".encode())
    assert res.status_code == 422
    assert licheng.get(f"/api/v1/enterprises/{code}").get_json()["region"] == "370112"


@pytest.mark.parametrize("data,filename", [
    (b"", "empty.csv"),
    (HEADER.encode() + b"\n", "header-only.csv"),
    ("企业名称,地址\n某公司,某地\n".encode(), "missing-headers.csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy.xls"),
    (bytes(range(256)) * 10, "garbage.csv"),
    (b"PK\x03\x04not really a zip", "broken.xlsx"),
])
def test_file_level_problems_are_clear_and_write_nothing(app, sup, data, filename):
    res = upload(sup, "enterprises", data, filename)
    assert res.status_code == 422, (filename, res.get_json())
    assert res.get_json()["errors"][0]["line"] == 0 and res.get_json()["errors"][0]["message"]
    assert count(app, "enterprise") == 0


def test_a_50mb_file_is_refused(app, sup):
    big = (HEADER + "\n" + (row() + "\n") * 400_000).encode()[: 50 * 1024 * 1024]
    res = upload(sup, "enterprises", big)
    assert res.status_code in (413, 422)
    assert res.get_json()["code"] in ("too_large", "import_rejected")
    assert count(app, "enterprise") == 0


def test_inspector_import_with_avoidance_and_experts(app, sup):
    avoid = uscc()
    text = ("姓名,执法证号,单位,行政区划代码,执法领域,手机号,回避企业,人员类别\n"
            f"张执法,37010011,历下区应急管理局,370102,机械、轻工,13800000001,{avoid},执法人员\n"
            "王专家,37010012,济南市应急管理局,370100,危险化学品,13800000002,,专家\n")
    res = upload(sup, "inspectors", text.encode("utf-8-sig"))
    assert res.status_code == 200, res.get_json()
    people = sup.get("/api/v1/inspectors").get_json()["items"]
    zhang = next(p for p in people if p["cert_no"] == "37010011")
    assert zhang["avoid"][0]["uscc"] == avoid and zhang["sectors"] == ["light_industry", "machinery"]
    assert next(p for p in people if p["cert_no"] == "37010012")["kind"] == "expert"
    bad = text.replace("机械、轻工", "机械、天文")
    assert upload(sup, "inspectors", bad.encode()).status_code == 422


def test_formula_injection_is_neutralised_on_export(app, sup):
    evil = "=cmd|' /C calc'!A0"
    text = f"{HEADER}\n{row(name=evil)}\n"
    assert upload(sup, "enterprises", text.encode()).status_code == 200
    res = sup.get("/api/v1/imports/enterprises/export?format=csv")
    assert res.status_code == 200
    body = res.get_data().decode("utf-8-sig")
    assert "'=cmd" in body and "\n=cmd" not in body and ",=cmd" not in body
    xlsx = sup.get("/api/v1/imports/enterprises/export?format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).active
    values = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(v.startswith("'=cmd") for v in values) and not any(v.startswith("=") for v in values)


def test_templates_download(sup):
    for kind in ("enterprises", "inspectors"):
        csv = sup.get(f"/api/v1/imports/{kind}/template?format=csv")
        assert csv.status_code == 200 and csv.get_data().startswith(b"\xef\xbb\xbf")
        xlsx = sup.get(f"/api/v1/imports/{kind}/template?format=xlsx")
        assert xlsx.status_code == 200 and xlsx.get_data().startswith(b"PK")
    assert sup.get("/api/v1/imports/nothing/template").status_code == 404
    assert sup.get("/api/v1/imports/enterprises/template?format=pdf").status_code == 422


def test_an_import_cut_off_by_a_crash_is_rolled_back_at_start(app, sup):
    from server.cli import bootstrap_all
    code = uscc()
    assert upload(sup, "enterprises", f"{HEADER}\n{row(code, risk='黄')}\n".encode()).status_code == 200
    with app.app_context():   # what a process killed in the middle of writing leaves behind
        db = registry()
        db.put({"_id": "import:deadbeef", "type": "import", "status": "writing", "at": "2020-01-01T00:00:00+00:00"})
        changed = db.get(f"enterprise:{code}")
        changed.update(risk="red", import_id="deadbeef")
        db.put(changed)
        new = {"_id": f"enterprise:{uscc()}", "type": "enterprise", "region": "370102", "import_id": "deadbeef"}
        db.put(new)
        recent = {"_id": "import:cafe", "type": "import", "status": "writing", "at": "2999-01-01T00:00:00+00:00"}
        db.put(recent)   # still running somewhere: left alone
        result = bootstrap_all()["recovered_imports"]
        assert result == [{"import": "import:deadbeef", "undone": 2, "unrecoverable": 0}]
        assert db.get(f"enterprise:{code}")["risk"] == "yellow"
        assert db.get_or_none(new["_id"]) is None
        assert db.get("import:deadbeef")["status"] == "rolled_back_after_crash"
        assert db.get("import:cafe")["status"] == "writing"
