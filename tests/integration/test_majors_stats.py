"""Major-hazard statistics and exports by source, region, sector, level and state; the register's source
filter, column and export; the statistics' "found by inspectors" leaving self-reports out; the optional
public list of cases under 挂牌督办 (issue 15 item 6)."""
from __future__ import annotations

import csv
import io

from tests.integration.lag import audit_entries as entries
from tests.integration.majors_fixtures import case_doc, make_case, set_state, supervise_form
from tests.integration.lag import read_until


def _csv(res) -> list[list[str]]:
    return list(csv.reader(io.StringIO(res.data.decode("utf-8-sig"))))


def _world(app):
    make_case(app, region="370102", source="report")
    make_case(app, region="370102")                                  # no source: an old case, inspection
    make_case(app, region="370112", source="self_report", sector="building_materials")
    make_case(app, region="370112", grade="general", source="self_report")
    make_case(app, region="370102", grade="general")
    make_case(app, region="370202", source="report")                 # Qingdao: outside 370100
    make_case(app, region="370102", state="void")


def test_statistics_count_majors_by_source_region_sector_level_and_state(app, login):
    _world(app)
    sup = login("supervisor", "370100")
    res = sup.get("/console/majors/stats?year=2026")
    assert res.status_code == 200
    page = res.get_data(as_text=True)
    assert "举报查实" in page and "企业自查上报" in page and "按督办级别" in page
    res = sup.get("/console/majors/stats.csv?year=2026")
    assert res.status_code == 200 and "attachment" in res.headers["Content-Disposition"]
    rows = _csv(res)
    by = {(r[0], r[1] or r[2]): r for r in rows[1:]}
    # columns: dimension, region code, name, found, ordered, rectified, reinspected, closed, total
    assert by[("按来源", "举报查实")][-1] == "1" and by[("按来源", "检查发现")][-1] == "1"
    assert by[("按来源", "企业自查上报")][-1] == "1" and by[("按来源", "合计")][-1] == "3"  # void, Qingdao left out
    assert by[("按区域", "370102")][-1] == "2" and by[("按区域", "370112")][-1] == "1"
    assert by[("按督办级别", "未挂牌")][-1] == "3" and by[("按行业", "建材")][-1] == "1"
    exported, = entries(app, "major.export", count=1)
    assert exported["details"]["format"] == "csv" and exported["actor"] == "supervisor370100"
    assert sup.get("/console/majors/stats.xlsx?year=2026").data[:2] == b"PK"


def test_the_whole_statistics_leave_self_reports_out_of_found_by_inspectors(app, login):
    _world(app)
    sup = login("supervisor", "370100")
    page = sup.get("/console/majors/stats?year=2026").get_data(as_text=True)
    assert "其中检查人员发现" in page
    body = sup.get("/api/v1/stats?year=2026&group=region&period=quarter").get_json()
    # found by inspectors in 370100: the report and the inspection majors, one general; not the self-reports
    assert (body["total"]["major"], body["total"]["general"]) == (2, 1), body["total"]


def test_statistics_refuse_bad_queries_and_other_regions(app, login):
    sup = login("supervisor", "370100")
    assert sup.get("/console/majors/stats?year=abc").status_code == 422
    assert sup.get("/console/majors/stats?region=370200").status_code == 404
    assert sup.get("/console/majors/stats.pdf").status_code == 404
    assert sup.get("/console/majors/stats.csv?year=1").status_code == 422
    assert login("admin", "370000").get("/console/majors/stats?region=370200").status_code == 200


def test_the_register_filters_shows_and_exports_the_source(app, login):
    make_case(app, description="企业自查的液氨泄漏隐患", source="self_report")
    make_case(app, description="检查发现的配电箱隐患", grade="general")
    sup = login("supervisor", "370100")
    page = sup.get("/console/hazards").get_data(as_text=True)
    assert "来源" in page and "企业自查上报" in page and "检查发现" in page
    only = sup.get("/console/hazards?source=self_report").get_data(as_text=True)
    assert "企业自查的液氨泄漏隐患" in only and "检查发现的配电箱隐患" not in only
    assert sup.get("/api/v1/hazards?source=nope").status_code == 422
    listed = sup.get("/api/v1/hazards?source=inspection").get_json()["items"]
    assert [i["source"] for i in listed] == ["inspection"]
    rows = _csv(sup.get("/api/v1/hazards/export?format=csv&source=self_report"))
    assert rows[0][-1] == "来源" and [r[-1] for r in rows[1:]] == ["企业自查上报"]


def test_the_public_list_is_off_by_default_and_shows_only_public_words(app, login, client):
    listed = make_case(app, name="济南示例危化品有限公司", description="储罐区可燃气体报警器失效")
    make_case(app, name="未挂牌企业", description="未挂牌的隐患")
    assert client.get("/public/majors").status_code == 404
    sup = login("supervisor", "370100")
    assert sup.post(f"/console/majors/{listed['key']}/supervise", data=supervise_form(app)).status_code == 302
    app.config["PUBLIC_MAJORS_LIST"] = True
    res = client.get("/public/majors")
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "济南示例危化品有限公司" in page and "储罐区可燃气体报警器失效" in page
    assert "市级挂牌督办" in page and "历下区" in page
    assert "未挂牌企业" not in page
    for secret in ("济安委督", "请企业在期限内", "supervisor370100", "inspector:wang", "wang"):
        assert secret not in page, secret
    assert client.get("/public/majors?cursor=%%%bad").status_code == 400
    assert client.get("/public/majors?utm_source=x").status_code == 200
    set_state(app, listed, "closed")
    shown = read_until(lambda: client.get("/public/majors").get_data(as_text=True),
                       lambda page: "济南示例危化品有限公司" not in page)   # a cluster's copy may lag the close
    assert "济南示例危化品有限公司" not in shown
    app.config["PUBLIC_MAJORS_LIST"] = False
    assert client.get("/public/majors").status_code == 404
    assert case_doc(app, listed)["supervised"] is True
