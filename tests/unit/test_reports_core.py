"""The pure parts of public reports (举报): receipt codes, text similarity, proof-of-work bits, form checks,
photo cleaning and the identity seal."""
from __future__ import annotations

import io
from datetime import date

import pytest
from flask import Flask
from PIL import Image

from i18n import Problem
from server.reports import intake, protect, public_abuse, public_photos, store, triage


def test_receipt_codes_are_long_random_typable_and_only_hashed():
    seen = set()
    for _ in range(200):
        code, kept = store.new_receipt()
        raw = store.normalise_code(code)
        assert len(raw) == 20 and set(raw) <= set(store.ALPHABET) and raw not in seen
        seen.add(raw)
        assert kept["locator"] == raw[:6] and raw not in str(kept) and len(kept["hash"]) == 64
    assert store.normalise_code("abcd efgh-jkmn pqrs tv0i") == "ABCDEFGHJKMNPQRSTV01"
    for bad in ("", "x" * 61, "ABCD", "ABCD-EFGH-JKMN-PQRS-TVWU!", None, 12):
        assert store.normalise_code(bad) is None


def test_bigram_jaccard_similarity():
    a = "三号仓库消防通道被货物堵死"
    assert triage.similarity(a, a) == 1.0
    assert triage.similarity(a, "三号仓库的消防通道被堵死了") > triage.SIMILAR
    assert triage.similarity(a, "食堂卫生很差") < 0.1
    assert triage.similarity("", a) == 0.0 and triage.similarity("，。", a) == 0.0


def test_leading_zero_bits():
    assert public_abuse.leading_zero_bits(b"\x00\x00\xff") == 16
    assert public_abuse.leading_zero_bits(b"\x00\x10") == 11
    assert public_abuse.leading_zero_bits(b"\x80") == 0
    assert public_abuse.leading_zero_bits(b"\x00\x00") == 16


@pytest.fixture
def app_ctx(tmp_path):
    app = Flask(__name__)
    app.config.update(SECRET_KEY="k" * 40, REPORT_POW_BITS=8, REPORT_POW_TTL_S=600,
                      REPORT_LIMIT_DB=str(tmp_path / "l.sqlite"), REPORTER_KEY_FILE=str(tmp_path / "key"), TESTING=True)
    with app.test_request_context():
        yield app


def test_proof_of_work_round_trip(app_ctx):
    challenge = public_abuse.issue(now=1_800_000_000)
    nonce = public_abuse.solve(challenge)
    assert public_abuse.check(challenge, nonce, now=1_800_000_100) is None
    assert public_abuse.check(challenge, nonce, now=1_800_000_100) == "report.pow_replayed"
    other = public_abuse.issue(now=1_800_000_000)
    assert public_abuse.check(other, public_abuse.solve(other), now=1_800_001_000) == "report.pow_expired"
    assert public_abuse.check(other.replace(".8.", ".9.", 1), "1") == "report.pow_invalid"
    assert public_abuse.check("v1.garbage", "1") == "report.pow_invalid"
    assert public_abuse.check(other, "-1") == "report.pow_missing"


def test_identity_seal_round_trip_and_key_rotation(app_ctx, tmp_path):
    sealed = protect.seal("report:" + "a" * 32, "张三", "13800000000")
    assert "张三" not in str(sealed) and sealed["key_id"] == "r1"
    doc = {"_id": "report:" + "a" * 32, "identity": sealed}
    assert protect.unseal(doc) == {"name": "张三", "contact": "13800000000"}
    key_file = tmp_path / "key"
    key_file.write_text(key_file.read_text() + protect.make_key_line("r2") + "\n")
    assert protect.seal(doc["_id"], "李四", "x@y.cn")["key_id"] == "r2" and protect.unseal(doc)["name"] == "张三"
    with pytest.raises(ValueError):
        protect.unseal({**doc, "identity": {**sealed, "ciphertext": sealed["ciphertext"][:-4] + "AAAA"}})
    assert not protect.may_reveal({"role": "supervisor"}) and protect.may_reveal({"role": "admin"})
    assert protect.may_reveal({"role": "supervisor", "may_reveal_reporters": True})
    assert not protect.may_reveal({"role": "inspector", "may_reveal_reporters": True})


def test_form_checks():
    today = date(2026, 12, 2)
    values = intake.typed({"text": " 仓库\x00里堆满了易燃物品\u202e，没人管 ", "anonymous": "1", "region": "370102",
                           "enterprise_name": "某厂", "happened_on": "2026-12-01"})
    clean, errors = intake.check(values, today, {"370102"})
    assert not errors and clean["text"] == "仓库里堆满了易燃物品，没人管" and clean["happened_on"] == "2026-12-01"
    _, errors = intake.check({**values, "anonymous": False, "contact": "abc", "happened_on": "2026-12-03"}, today, {"370102"})
    assert errors == {"name": "report.name_required", "contact": "report.contact_bad", "happened_on": "report.date_bad"}
    _, errors = intake.check({**values, "region": "110101"}, today, {"370102"})
    assert errors == {"region": "report.region_required"}
    assert not intake.check({**values, "region": ""}, today, None)[1]   # a site fixes the region


def _png(size, mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def test_photo_cleaning():
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "MakerSecret"
    Image.new("RGB", (3000, 1000)).save(out, "JPEG", exif=exif)
    photo = public_photos.clean(out.getvalue(), 5 * 1024 * 1024)
    assert (photo.width, photo.height) == (2048, 683) and b"MakerSecret" not in photo.image
    assert Image.open(io.BytesIO(photo.thumbnail)).size[0] == 320
    assert public_photos.clean(_png((10, 10), "RGBA"), 10**6).source_format == "PNG"
    for data, code in ((b"", "report.photo_empty"), (b"GIF89a....", "report.photo_not_image"),
                       (out.getvalue()[:500], "report.photo_broken"), (_png((8000, 6000), "1"), "report.photo_too_many_pixels")):
        with pytest.raises(Problem) as exc:
            public_photos.clean(data, 10**7)
        assert exc.value.code == code
    with pytest.raises(Problem):
        public_photos.clean(out.getvalue(), 100)


def test_a_missing_key_file_is_made_only_under_var_or_in_tests(tmp_path):
    from server.config import ConfigError
    app = Flask(__name__)
    app.config.update(REPORTER_KEY_FILE=str(tmp_path / "elsewhere" / "reporter.key"), TESTING=False)
    with app.app_context():
        with pytest.raises(ConfigError, match="reporter-key"):
            protect.keyring()
        assert not (tmp_path / "elsewhere" / "reporter.key").exists()
        (tmp_path / "bad.key").write_text("r1:not-a-key\n")
        app.config["REPORTER_KEY_FILE"] = str(tmp_path / "bad.key")
        with pytest.raises(ConfigError, match="kid:"):
            protect.keyring()
    assert protect.create_key_file(tmp_path / "new.key") and not protect.create_key_file(tmp_path / "new.key")
    assert oct((tmp_path / "new.key").stat().st_mode & 0o777) == "0o600"
