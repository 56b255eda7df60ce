"""The three documents rendered once from records written in decision 0005's shape, then read back from the
PDF: every field, numbers, deadlines, appeal routes, refusal, signatures, fonts, line breaking; screenshots."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from tests.integration import pdf_tools
from tests.integration import records_fixtures as rf
from tests.integration.cpu_clock import Stopwatch
from tests.integration.documents_env import module_app, signed_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
KINDS = ("record", "order", "opinion")


@pytest.fixture(scope="module")
def rendered(couch_url):
    """Each kind as PDF and HTML, fetched once through the real routes by a supervisor of the county."""
    with module_app(couch_url) as app:
        show = rf.showcase(app)
        client = signed_in(app, "supervisor", "370102")
        ids = {"record": show.inspection["_id"], "order": show.order["_id"], "opinion": show.cases[0]["_id"]}
        out = {"show": show, "seconds": {}, "cpu": {}}
        for kind, doc_id in ids.items():
            uuid = doc_id.split(":", 1)[1]
            with Stopwatch() as watch:
                pdf = client.get(f"/console/documents/{kind}/{uuid}.pdf")
            out["seconds"][kind], out["cpu"][kind] = watch.wall, watch.cpu
            html = client.get(f"/console/documents/{kind}/{uuid}.html")
            assert pdf.status_code == 200 and html.status_code == 200, (kind, pdf.data[:300])
            out[kind] = {"pdf": pdf, "html": html.get_data(as_text=True), "text": pdf_tools.flat(pdf.data)}
        yield out


def test_record_shows_every_field_domain_md_lists(rendered):
    text, show = rendered["record"]["text"], rendered["show"]
    expected = [
        "现场检查记录", "（历下）应急检记〔2026〕12号",
        "济南示例化工有限公司", show.world.enterprise["uscc"], "济南市历下区经十路1000号", "赵大明", "0531-88880000",
        "钱经理（安全总监）", "13805310000", "周见证（员工代表）", "孙专家（山东大学）",
        "主厂区甲类仓库及装卸区", "2026年5月6日9时05分至11时20分", "2026年度危险化学品企业双随机抽查", "双随机抽查",
        "王建国济南市历下区应急管理局执法证号：37010220070001",
        "李秀英济南市历下区应急管理局执法证号：37010220070002",
        "我们是济南市历下区应急管理局的执法人员王建国、李秀英，证件号码为37010220070001、37010220070002",
        "扫码时间：2026年5月6日9时03分", "北纬36.66012°，东经117.05019°（精度约12米，WGS-84）",
        "依据《化工和危险化学品生产经营单位重大生产安全事故隐患检查表》逐项检查，共检查5项，其中不符合2项；另有1项不适用",
            "其余3项符合/不适用",
        "特种作业人员持证上岗", "2名电工特种作业操作证已过期", "不涉及重点监管危险化工工艺",
        "2名特种作业人员（电工）特种作业操作证已过期，仍在岗作业。", "重大事故隐患", "一般事故隐患", "配电室",
        "钱经理于2026年5月6日11时18分拒绝签字（说明：称需请示公司总部后再签）。",
        "（《中华人民共和国安全生产法》第六十八条）", "证号：37010220070001", "记录日期：2026年5月6日",
        "本记录一式两份", "第1页共",
    ]
    missing = [e for e in expected if e not in text]
    assert not missing, missing
    # short print (issue 13): the two failed items and the noted N/A one in full, one line for the other three
    assert text.count("检查发现：") == 2 and text.count("不适用") == 3
    assert "草稿" not in text


def test_record_embeds_the_captured_signatures_unchanged(rendered):
    pdf = rendered["record"]["pdf"].data
    assert [(i["width"], i["height"]) for i in pdf_tools.images(pdf)] == [(360, 120)] * 3  # 2 inspectors, witness
    shown = pdf_tools.extracted_rgba(pdf)
    for picture, seed in zip(shown, (1, 2, 3)):
        with Image.open(io.BytesIO(rf.signature_png(seed))) as original:
            assert picture.tobytes() == original.convert("RGBA").tobytes()


def test_order_lists_each_problem_with_its_deadline_and_the_appeal_routes(rendered):
    text = rendered["order"]["text"]
    for part in ["责令限期整改指令书", "（历下）应急责改〔2026〕3号", "济南示例化工有限公司：",
                 "（历下）应急检记〔2026〕12号《现场检查记录》载明你单位存在下列问题",
                 "2名特种作业人员（电工）特种作业操作证已过期，仍在岗作业。部位：配电室；一般事故隐患2026年5月20日前",
                 "甲类仓库与厂外居民楼防火间距不足国家标准规定值的75%。部位：甲类仓库；重大事故隐患2026年6月5日前",
                 "依据《中华人民共和国安全生产法》第六十五条第一款第（二）项、第（三）项",
                 "重大事故隐患排除后，经审查同意，方可恢复生产经营和使用",
                 "可以依法在60日内向济南市历下区人民政府申请行政复议",
                 "或者在6个月内依法向济南市历下区人民法院提起行政诉讼",
                 "《中华人民共和国行政复议法》第二十条、《中华人民共和国行政诉讼法》第四十六条",
                 "但本指令不停止执行，法律另有规定的除外", "证号：37010220070001", "济南市历下区应急管理局2026年5月8日",
                 "本文书一式两份：一份由应急管理部门备案，一份交被检查单位。"]:
        assert part in text, part
    assert pdf_tools.pages(rendered["order"]["pdf"].data) == 1
    assert len(pdf_tools.images(rendered["order"]["pdf"].data)) == 2   # one inspector and the manager signed


def test_opinion_answers_the_order_item_by_item(rendered):
    text = rendered["opinion"]["text"]
    for part in ["整改复查意见书", "（历下）应急复查〔2026〕5号",
                 "济南市历下区应急管理局于2026年5月8日作出了（历下）应急责改〔2026〕3号《责令限期整改指令书》",
                 "2026年6月10日13时10分，济南市历下区应急管理局执法人员对你单位整改情况进行了复查",
                 "复查情况：证书已复审，人员持有效证件上岗2026年5月20日前已整改完毕",
                 "复查情况：仓库搬迁方案已制定，尚未实施2026年6月5日前未整改完毕",
                 "经复查，第2项问题未整改完毕", "第一百零二条", "被复查单位负责人",
                 "本文书一式两份：一份由应急管理部门备案，一份交被复查单位。", "2026年6月10日"]:
        assert part in text, part
    assert pdf_tools.pages(rendered["opinion"]["pdf"].data) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_cjk_font_is_embedded_and_every_character_reads_back(rendered, kind):
    found = pdf_tools.fonts(rendered[kind]["pdf"].data)
    assert found and all(f["emb"] == "yes" and f["uni"] == "yes" for f in found), found
    assert any("Noto-Serif-CJK-SC" in f["name"] for f in found), found
    assert "\ufffd" not in rendered[kind]["text"]  # no glyph without its character (tofu)


@pytest.mark.parametrize("kind", KINDS)
def test_no_line_starts_with_closing_punctuation(rendered, kind):
    assert pdf_tools.lines_starting_with_closing_punctuation(rendered[kind]["pdf"].data) == []


@pytest.mark.parametrize("kind", KINDS)
def test_html_preview_is_the_same_document_with_a_pdf_link(rendered, kind):
    html = rendered[kind]["html"]
    assert '<html lang="zh-CN">' in html and "草稿" not in html
    assert f'href="/console/documents/{kind}/' in html and ".pdf" in html
    number = {"record": "（历下）应急检记〔2026〕12号", "order": "（历下）应急责改〔2026〕3号",
              "opinion": "（历下）应急复查〔2026〕5号"}[kind]
    assert number in html and 'src="data:image/png;base64,' in html


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_headers(rendered, kind):
    resp = rendered[kind]["pdf"]
    assert resp.headers["Content-Type"] == "application/pdf" and resp.data.startswith(b"%PDF-")
    assert resp.headers["Cache-Control"] == "private, no-store"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith(f'inline; filename="{kind}-') and "filename*=UTF-8''" in disposition


def test_one_pdf_takes_well_under_a_few_seconds(rendered):
    """Bounded by the CPU it costs (the machine's load does not inflate it) and, generously, the wall clock."""
    print({k: round(v, 2) for k, v in rendered["seconds"].items()}, {k: round(v, 2) for k, v in rendered["cpu"].items()})
    assert all(v < 5 for v in rendered["cpu"].values()), rendered["cpu"]
    assert all(v < 60 for v in rendered["seconds"].values()), rendered["seconds"]


@pytest.mark.parametrize("kind", KINDS)
def test_screenshot_of_the_first_page(rendered, kind):
    path = pdf_tools.first_page_png(rendered[kind]["pdf"].data, SCREENSHOTS / f"document-{kind}.png")
    with Image.open(path) as picture:
        width, height = picture.size
        low, high = picture.convert("L").getextrema()
    assert abs(width - 827) <= 1 and abs(height - 1169) <= 1 and high - low > 150  # A4 at 100 dpi, not blank
