"""The 现场处理措施决定书 rendered from the showcase case with signatures captured on the console pad, read back
from the PDF (fields, measures, appeal routes, seal, signatures, fonts, line breaking), and its screenshot
docs/screenshots/document-decision.png (first page at 100 dpi, like the other documents)."""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from server.db import database
from server.numbering import format_number
from tests.integration import pdf_tools
from tests.integration import records_fixtures as rf
from tests.integration.documents_env import module_app, signed_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def rendered(couch_url):
    with module_app(couch_url) as app:
        show = rf.showcase(app)
        a = show.world.inspectors[0]
        uuid = "5b2d7c1e-8f3a-4c6b-9d2e-1a2b3c4d5e6f"
        decision = {"_id": f"decision:{uuid}", "type": "onsite_decision", "number": format_number("decision", "历下", 2026, 2),
                    "inspection": show.inspection["_id"], "enterprise": show.inspection["enterprise"],
                    "enterprise_name": show.inspection["enterprise_name"], "region": show.inspection["region"],
                    "issuer_region": "370102", "authority_rule": 1,
                    "items": [{"case": c["_id"], "hazard": c["hazard"], "description": c["description"],
                               "location": c["location"], "grade": c["grade"]} for c in show.cases],
                    "measures": ["remove_now", "evacuate", "stop_equipment"], "note": "甲类仓库内立即停止装卸作业，撤出全部人员。",
                    "issued_at": "2026-05-06T03:30:00Z", "issued_by": "lixia.sup", "signatures": []}
        with app.app_context():
            database("records").put(decision)
        client = signed_in(app, "supervisor", "370102")
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          client.get(f"/console/documents/decision/{uuid}/sign").get_data(as_text=True)).group(1)
        for signer, extra in [(f"inspector:{a['name']}", {}), ("manager", {"manager_name": "钱经理"})]:
            res = client.post(f"/console/documents/decision/{uuid}/sign",
                              data={"csrf_token": token, "signer": signer, "action": "sign",
                                    "image": "data:image/png;base64," + base64.b64encode(rf.signature_png(9)).decode(),
                                    **extra})
            assert res.status_code == 303, res.get_data(as_text=True)[:300]
        pdf = client.get(f"/console/documents/decision/{uuid}.pdf")
        html = client.get(f"/console/documents/decision/{uuid}.html")
        assert pdf.status_code == 200 and html.status_code == 200
        yield {"pdf": pdf.data, "text": pdf_tools.flat(pdf.data), "html": html.get_data(as_text=True)}


def test_decision_reads_back(rendered):
    for part in ["现场处理措施决定书", "（历下）应急现决〔2026〕2号", "济南示例化工有限公司：",
                 "济南市历下区应急管理局执法人员于2026年5月6日对你单位进行现场检查时，发现你单位存在下列问题：",
                 "2名特种作业人员（电工）特种作业操作证已过期，仍在岗作业。部位：配电室；一般事故隐患",
                 "依据《中华人民共和国安全生产法》第六十五条第一款第（三）项的规定，现作出如下现场处理决定：",
                 "1.责令立即排除上述事故隐患。", "2.责令从危险区域内撤出作业人员。", "3.责令停止使用相关设施、设备。",
                 "具体要求：甲类仓库内立即停止装卸作业，撤出全部人员。",
                 "可以依法在60日内向济南市历下区人民政府申请行政复议", "济南市历下区人民法院提起行政诉讼",
                 "但本决定不停止执行", "被检查单位负责人", "济南市历下区应急管理局2026年5月6日",
                 "本文书一式两份"]:
        assert part in rendered["text"], part
    assert "草稿" not in rendered["text"] and pdf_tools.pages(rendered["pdf"]) == 1


def test_console_signatures_are_embedded_unchanged(rendered):
    shown = pdf_tools.extracted_rgba(rendered["pdf"])
    assert len(shown) == 2
    with Image.open(io.BytesIO(rf.signature_png(9))) as original:
        assert all(p.tobytes() == original.convert("RGBA").tobytes() for p in shown)


def test_fonts_and_line_breaking(rendered):
    found = pdf_tools.fonts(rendered["pdf"])
    assert found and all(f["emb"] == "yes" and f["uni"] == "yes" for f in found)
    assert pdf_tools.lines_starting_with_closing_punctuation(rendered["pdf"]) == []
    assert "\ufffd" not in rendered["text"]


def test_preview_has_the_pdf_and_signing_links(rendered):
    assert "/console/documents/decision/" in rendered["html"] and ".pdf" in rendered["html"]
    assert 'data-t="sign-link"' in rendered["html"]


def test_screenshot_of_the_first_page(rendered):
    path = pdf_tools.first_page_png(rendered["pdf"], SCREENSHOTS / "document-decision.png")
    with Image.open(path) as picture:
        width, height = picture.size
        low, high = picture.convert("L").getextrema()
    assert abs(width - 827) <= 1 and abs(height - 1169) <= 1 and high - low > 150
