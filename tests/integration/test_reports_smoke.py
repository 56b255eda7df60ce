"""temporary"""
from tests.integration.reports_fixtures import *  # noqa


def test_smoke(app, client, qr_site):
    res = client.get(qr_site["qr_path"])
    html = res.get_data(as_text=True)
    assert "report-hazard" in html, html
    link = re.search(r'id="report-hazard" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    form = client.get(link)
    assert form.status_code == 200, form.get_data(as_text=True)
    pow_ = solved(app, client, link)
    res = client.post("/report", data={**qr_site["args"], **pow_, "text": TEXT, "anonymous": "",
                                       "name": "张举报", "contact": "13912345678",
                                       "photos": [(io.BytesIO(jpeg(exif_gps=True)), "a.jpg")]},
                      content_type="multipart/form-data")
    body = res.get_data(as_text=True)
    assert res.status_code == 200, body
    code = receipt_code(body)
    st = client.post("/report/status", data={"code": code.lower()})
    assert st.status_code == 200 and "已收到" in st.get_data(as_text=True)
    q = qr_site["sup"].get("/console/reports")
    assert q.status_code == 200 and "消防通道" in q.get_data(as_text=True), q.get_data(as_text=True)
    print(q.get_data(as_text=True)[-3000:])
