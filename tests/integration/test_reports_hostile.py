"""Malformed, hostile and oversized input on the public report form, its proof of work and rate limits:
every refusal says why in the reporter's language and puts back what they typed."""
from __future__ import annotations

import hashlib
import io
import threading
import time

from server.db import database
from server.reports import public_abuse
from tests.integration.reports_fixtures import (TEXT, challenge_of, fast_pow, jpeg, qr_site, solved,  # noqa: F401
                                                web_form)


def _count(app) -> int:
    with app.app_context():
        return len(database("reports").all_docs(startkey="report:", endkey="report:\ufff0"))


def _failing_nonce(challenge: str) -> str:
    """A nonce that does not do the work (most do not; found, not guessed, so the test cannot flake)."""
    bits = int(challenge.split(".")[2])
    nonce = 0
    while public_abuse.leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) >= bits:
        nonce += 1
    return str(nonce)


def _kept(res, *texts) -> None:
    html = res.get_data(as_text=True)
    for text in texts:
        assert text in html, (text, html[:3000])


def test_script_in_text_is_stored_as_words_and_never_runs(app, client, qr_site):
    hostile = "<script>alert(1)</script> 消防通道堵塞严重，需要处理"
    res = client.post("/report", data={**web_form(text=hostile, enterprise_name="<img src=x onerror=alert(1)>"),
                                       **solved(app, client)})
    assert res.status_code == 200
    page = qr_site["sup"].get("/console/reports").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page and "<img src=x" not in page


def test_huge_and_short_text_refused_with_input_kept(app, client, qr_site):
    res = client.post("/report", data={**web_form(text="太长" * 3000, location="东门"), **solved(app, client)})
    assert res.status_code == 422
    _kept(res, "内容过长", "东门", "某某化工厂")
    res = client.post("/report", data={**web_form(text="短"), **solved(app, client)})
    assert res.status_code == 422
    _kept(res, "至少写10个字")
    assert _count(app) == 0


def test_named_report_needs_name_and_contact_and_bad_fields_are_named(app, client, qr_site):
    data = {**web_form(anonymous="", name="", contact="not a phone", happened_on="2099-01-01", region="110101"),
            **solved(app, client)}
    res = client.post("/report", data=data)
    assert res.status_code == 422
    _kept(res, "请填写姓名", "有效的电话号码", "日期无效", "请选择所在区县", "not a phone", TEXT[:10])
    en = client.post("/report", data={**data, **solved(app, client)}, headers={"Accept-Language": "en"})
    _kept(en, "Give your name", "valid phone number")
    assert _count(app) == 0


def test_wrong_missing_expired_and_replayed_proof_of_work(app, client, qr_site):
    good = solved(app, client)
    res = client.post("/report", data={**web_form(location="南墙"), "pow_challenge": good["pow_challenge"],
                                       "pow_nonce": _failing_nonce(good["pow_challenge"])})
    assert res.status_code == 400
    _kept(res, "安全校验未通过", "南墙")
    assert client.post("/report", data={**web_form(), "pow_challenge": good["pow_challenge"]}).status_code == 400
    forged = good["pow_challenge"][:-3] + "AAA"
    res = client.post("/report", data={**web_form(), "pow_challenge": forged, "pow_nonce": good["pow_nonce"]})
    assert res.status_code == 400 and "安全校验无效" in res.get_data(as_text=True)
    assert client.post("/report", data={**web_form(), **good}).status_code == 200
    replay = client.post("/report", data={**web_form(location="再来一次"), **good})
    assert replay.status_code == 400
    _kept(replay, "已经用过", "再来一次")
    with app.test_request_context():
        old = public_abuse.issue(now=time.time() - app.config["REPORT_POW_TTL_S"] - 10)
        nonce = public_abuse.solve(old)
    res = client.post("/report", data={**web_form(), "pow_challenge": old, "pow_nonce": nonce})
    assert res.status_code == 400 and "已过期" in res.get_data(as_text=True)
    fresh = challenge_of(res.get_data(as_text=True))
    assert fresh != old   # the re-rendered form carries a new challenge to solve
    assert _count(app) == 1


def test_a_weaker_challenge_than_configured_is_refused(app, client, qr_site):
    with app.test_request_context():
        app.config["REPORT_POW_BITS"] = 4
        weak = public_abuse.issue()
        nonce = public_abuse.solve(weak)
        app.config["REPORT_POW_BITS"] = 6
    res = client.post("/report", data={**web_form(), "pow_challenge": weak, "pow_nonce": nonce})
    assert res.status_code == 400


def test_racing_replays_of_one_challenge_file_one_report(app, qr_site):
    good = solved(app, app.test_client())
    answers = []

    def send():
        answers.append(app.test_client().post("/report", data={**web_form(), **good}).status_code)
    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] + [400] * 5 and _count(app) == 1


def test_forged_and_altered_site_codes(app, client, qr_site):
    args = qr_site["args"]
    for bad in ({**args, "s": "A" * 22}, {**args, "t": args["t"][:-2] + "02"}, {**args, "k": "zz"},
                {"t": "<script>", "k": "k1", "s": "x"}):
        page = client.get("/report", query_string=bad)
        assert page.status_code == 400 and "二维码无法核验" in page.get_data(as_text=True)
        res = client.post("/report", data={**web_form(location="西侧"), **bad, **solved(app, client)})
        assert res.status_code == 400
        _kept(res, "二维码无法核验", "西侧")
    assert _count(app) == 0


def test_bad_photos(app, client, qr_site):
    from PIL import Image
    big = io.BytesIO()
    Image.new("L", (9000, 9000)).save(big, "PNG")   # 81 megapixels, small on disk
    cases = {"只能上传JPEG或PNG": b"GIF89a not really", "已损坏": jpeg()[:800],
             "像素过多": big.getvalue(), "照片文件是空的": b""}
    for message, data in cases.items():
        form = {**web_form(location="化验室"), **solved(app, client), "photos": [(io.BytesIO(data), "p.jpg")]}
        res = client.post("/report", data=form, content_type="multipart/form-data")
        assert res.status_code == 422, message
        _kept(res, message, "化验室", "重新选择")
    many = [(io.BytesIO(jpeg((50, 50))), f"{n}.jpg") for n in range(app.config["REPORT_MAX_PHOTOS"] + 1)]
    res = client.post("/report", data={**web_form(), **solved(app, client), "photos": many},
                      content_type="multipart/form-data")
    assert res.status_code == 422 and "照片最多" in res.get_data(as_text=True)
    assert _count(app) == 0


def test_oversized_photo_and_body(app, client, qr_site):
    app.config["REPORT_PHOTO_MAX_MB"] = 1
    blob = jpeg() + b"\0" * (1024 * 1024 + 10)
    res = client.post("/report", data={**web_form(), **solved(app, client), "photos": [(io.BytesIO(blob), "b.jpg")]},
                      content_type="multipart/form-data")
    assert res.status_code == 422 and "不能超过1MB" in res.get_data(as_text=True)
    huge = b"x" * ((app.config["REPORT_MAX_PHOTOS"] + 2) * 1024 * 1024)
    res = client.post("/report", data={**web_form(), **solved(app, client), "photos": [(io.BytesIO(huge), "h.jpg")]},
                      content_type="multipart/form-data")
    assert res.status_code == 413 and "返回" in res.get_data(as_text=True)
    assert _count(app) == 0


def test_submissions_and_lookups_are_rate_limited_per_address(app, client, qr_site):
    app.config.update(REPORT_RATE_LIMIT="2 per hour", REPORT_STATUS_RATE_LIMIT="3 per hour")
    for _ in range(2):
        assert client.post("/report", data={**web_form(), **solved(app, client)}).status_code == 200
    res = client.post("/report", data={**web_form(location="第三次"), **solved(app, client)})
    assert res.status_code == 429
    _kept(res, "提交过于频繁", "第三次")
    other = app.test_client()
    res = other.post("/report", data={**web_form(), **solved(app, other)}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert res.status_code == 200
    for _ in range(3):
        assert client.post("/report/status", data={"code": "AAAA"}).status_code == 404
    assert client.post("/report/status", data={"code": "AAAA"}).status_code == 429
    assert _count(app) == 3


def test_limits_file_keeps_no_address_in_clear(app, client, qr_site):
    import sqlite3
    client.post("/report", data={**web_form(), **solved(app, client)}, environ_base={"REMOTE_ADDR": "203.0.113.77"})
    rows = sqlite3.connect(app.config["REPORT_LIMIT_DB"]).execute("SELECT key FROM attempts").fetchall()
    assert rows and not any("203.0.113.77" in key for (key,) in rows)
