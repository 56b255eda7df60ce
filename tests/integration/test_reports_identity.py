"""Whistleblower protection, proved: a named report's name and phone appear in no page, export, document,
database (phones included), audit entry or log line — only as ciphertext in `reports` — until an allowed
user reveals them with a reason."""
from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path

from server.db import couch
from server.reports import triage
from tests.integration.reports_fixtures import fast_pow, jpeg, qr_site, solved, web_form  # noqa: F401

NAME, PHONE = "欧阳举报人甲", "13987654321"
SECRETS = (NAME, PHONE, "欧阳举报")


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def _text(body: bytes) -> str:
    """A response's text; an XLSX (a zip) is opened so that its compressed sheets are searched too."""
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return body.decode("utf-8", "replace")


def _get_routes(app) -> list[str]:
    """Every GET route without a variable part (lists, exports, statistics, the console pages)."""
    skip = ("/sync", "/app/", "/static", "/apidocs", "/api/v1/docs")
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and "<" not in rule.rule and not rule.rule.startswith(skip)})


def _report_pages(key: str) -> list[str]:
    return ["/console/reports", "/console/reports?state=*", "/console/reports?state=verifying", f"/console/reports/{key}",
            f"/console/reports/{key}/photo/1", f"/console/reports/{key}/reveal", "/console/", "/console/audit",
            "/api/v1/audit", "/api/v1/audit?format=csv", "/console/audit?format=csv"]


def _database_leaks(app) -> list[str]:
    found = []
    with app.app_context():
        server = couch()
        for name in server.all_dbs():
            if not name.startswith(app.config["DB_PREFIX"]):
                continue
            for row in server.db(name).all_docs(include_docs=True):
                if hits := _leaks(str(row.get("doc"))):
                    found.append(f"{name}/{row['id']}: {hits}")
    return found


def test_a_named_reporter_appears_nowhere_but_the_reveal(app, client, login, qr_site, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    link = f"/report?t={qr_site['args']['t']}&k={qr_site['args']['k']}&s={qr_site['args']['s']}"
    data = {**qr_site["args"], **solved(app, client, link), "text": "夜班时车间可燃气体报警器被人为关闭，多次这样操作。",
            "anonymous": "", "name": NAME, "contact": PHONE, "insider": "1",
            "photos": [(io.BytesIO(jpeg()), "a.jpg")]}
    receipt = client.post("/report", data=data, content_type="multipart/form-data")
    assert receipt.status_code == 200 and not _leaks(receipt.get_data(as_text=True))
    client.post("/report", data={**web_form(), **solved(app, client)})   # a second, anonymous report beside it
    with app.app_context():
        from server.reports import store
        key = store.reports().find({"type": "report", "channel": "qr"}, limit=1)[0]["_id"].split(":", 1)[1]
    admin, sup = login("admin", "370000"), qr_site["sup"]
    inspector_body = {"name": "核查员", "cert_no": "37019988776655", "unit": "历下区应急管理局", "region": "370102",
                      "sectors": "机械", "mobile": "13700000000"}
    for n in range(2):                           # a verification team is two people
        made = admin.post("/api/v1/inspectors", json={**inspector_body, "name": f"核查员{n}",
                                                      "cert_no": f"3701998877665{n}", "mobile": f"1370000000{n}"})
        assert made.status_code == 201, made.get_json()
    # This also opens the verification task on the team's phones, whose databases the scan below reads.
    team = [i["_id"] for i in triage_inspectors(app)]
    res = sup.post(f"/console/reports/{key}/decide", data={"decision": "verify", "reason": "需要现场核查", "team": team})
    assert res.status_code == 200, res.headers.get("Location")
    with app.app_context():
        assert store.reports().get(f"report:{key}")["verification"]["task"].startswith("task:")
    leaks, urls = [], _get_routes(app) + _report_pages(key)
    assert len(urls) > 40   # the console, the API's lists, exports and statistics, the audit log
    for session in (admin, sup):
        for url in urls:
            page = session.get(url)
            if hits := _leaks(_text(page.get_data())):
                leaks.append(f"{url}: {hits}")
    assert not leaks, leaks
    assert not _database_leaks(app)
    assert not _leaks(caplog.text) and not _leaks("".join(capfd.readouterr()))
    for path in (Path(app.config["REPORT_LIMIT_DB"]), *Path(app.config["AUDIT_CHECKPOINT_DIR"]).glob("**/*")):
        if path.is_file():
            assert not _leaks(path.read_bytes().decode("utf-8", "replace")), path
    # The reveal, and only the reveal, shows them: to an admin, with a reason, audited.
    shown = admin.post(f"/console/reports/{key}/reveal", data={"reason": "依法核实举报人身份"}).get_data(as_text=True)
    assert NAME in shown and PHONE in shown
    assert not _database_leaks(app) and not _leaks(caplog.text)


def triage_inspectors(app) -> list[dict]:
    with app.app_context():
        from server.db import registry
        return registry().find({"type": "inspector"}, limit=10)


def test_identity_ciphertext_is_bound_to_its_report(app, client, qr_site):
    from server.reports import protect, store
    client.post("/report", data={**web_form(anonymous="", name=NAME, contact=PHONE), **solved(app, client)})
    client.post("/report", data={**web_form(), **solved(app, client)})
    with app.app_context():
        named, anonymous = sorted(store.reports().find({"type": "report"}, limit=5), key=lambda d: d["anonymous"])
        assert protect.unseal(named) == {"name": NAME, "contact": PHONE}
        moved = {**anonymous, "identity": named["identity"]}
        try:
            protect.unseal(moved)
            raise AssertionError("a ciphertext moved to another report decrypted")
        except ValueError:
            assert True
        assert re.fullmatch(r"[A-Za-z0-9+/=]+", named["identity"]["ciphertext"])
