"""Imports are bounded work (issue 17): a shared-strings bomb is refused before it is unpacked, a slow file
stops at IMPORT_MAX_S writing nothing, and thousands of bad rows answer the first ones and a count. The
console's preview step shows per row what would happen and writes nothing."""
from __future__ import annotations

import io
import time
import zipfile

from tests.integration.helpers import uscc
from tests.integration.test_imports import HEADER, count, row, sup, upload  # noqa: F401  (sup: fixture)


def _strings_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>x</t></si>" * 1_700_000 + "</sst>")
    return buf.getvalue()


def test_a_shared_strings_bomb_is_refused_at_once(app, sup):
    data = _strings_bomb()
    assert len(data) < 1024 * 1024
    began = time.monotonic()
    res = upload(sup, "enterprises", data, "bomb.xlsx")
    assert res.status_code == 422 and time.monotonic() - began < 5
    assert "文字部分" in res.get_json()["errors"][0]["message"]


def test_an_import_past_its_time_stops_and_writes_nothing(app, sup):
    app.config["IMPORT_MAX_S"] = 0
    lines = [HEADER] + [row(uscc()) for _ in range(1100)]
    res = upload(sup, "enterprises", "\n".join(lines).encode())
    assert res.status_code == 422
    assert any("已停止" in p["message"] for p in res.get_json()["errors"])
    assert count(app, "enterprise") == 0


def test_many_bad_rows_answer_the_first_ones_and_the_count(app, sup):
    lines = [HEADER] + [row(region="999999") for _ in range(1500)]
    res = upload(sup, "enterprises", "\n".join(lines).encode())
    body = res.get_json()
    assert res.status_code == 422 and len(body["errors"]) == 200
    assert "1500" in body["message"] and "200" in body["message"]
    assert len(res.data) < 200_000


def test_the_console_preview_step_writes_nothing_and_names_the_changes(app, sup):
    code = uscc()
    assert upload(sup, "enterprises", f"{HEADER}\n{row(code, risk='黄')}\n".encode()).status_code == 200
    csrf = sup.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    text = f"{HEADER}\n{row(code, risk='红')}\n{row(uscc())}\n"
    res = sup.client.post("/console/import", data={"kind": "enterprises", "dry_run": "1", "csrf_token": csrf,
                                                   "file": (io.BytesIO(text.encode()), "f.csv")},
                          content_type="multipart/form-data")
    page = res.get_data(as_text=True)
    assert res.status_code == 200, page[:500]
    assert "尚未写入任何数据" in page and "新增 1 行" in page and "更新 1 行" in page and "风险等级" in page
    assert count(app, "enterprise") == 1
