"""The signed content on the server against the shared test vectors that the field kit's own test also reads
(fieldkit/tests/content.test.js), so the phone and the server cannot drift apart on a signature's hash."""
from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest

from schemas.signed_content import (canonical_json, content_hash, js_number, sha256_hex, signature_state,
                                    signed_content)

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "data" / "test-vectors" / "signed-content.json")
                     .read_text(encoding="utf-8"))


def test_numbers_are_written_as_ecmascript_writes_them():
    assert [canonical_json(n) for n in json.loads(VECTORS["numbers_json"])] == VECTORS["numbers"]
    assert js_number(float("nan")) == "null" and js_number(True is True and 3) == "3"


@pytest.mark.parametrize("case", VECTORS["records"], ids=lambda c: c["name"])
def test_each_shared_record_gives_the_shared_text_and_hash(case):
    text = canonical_json(signed_content(case["inspection"], case["hazards"]))
    assert text == case["canonical"]
    assert sha256_hex(text) == case["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_what_the_server_adds_when_filing_is_not_content():
    case = VECTORS["records"][0]
    filed = {**case["inspection"], "inspector": "inspector:0123456789ab", "region": "370102", "team": ["a"],
             "hazards": {"general": 1, "major": 1}, "review_status": "approved", "number": "(济南)应急检记〔2026〕1号",
             "source": {"db": "x", "rev": "4-x"}, "checkin_verdict": {"qr": "ok"}, "corrections": [{"n": 1}]}
    hazards = [{**h, "region": "370102", "source": {}, "submitted_at": "x"} for h in case["hazards"]]
    assert content_hash(filed, hazards) == case["sha256"]
    changed = copy.deepcopy(case["inspection"])
    changed["answers"][0]["note"] = "灭火器已更换"
    assert content_hash(changed, case["hazards"]) != case["sha256"]


def test_signature_states_and_hostile_content():
    digest = VECTORS["records"][0]["sha256"]
    assert signature_state({"content_sha256": digest}, digest) == "signed"
    assert signature_state({"content_sha256": digest, "refused": True}, digest) == "refused"
    assert signature_state({"content_sha256": "0" * 64}, digest) == "void"
    assert signature_state({}, digest) == signature_state("nonsense", digest) == "unbound"
    deep: list = []
    cursor = deep
    for _ in range(200):
        cursor.append([])
        cursor = cursor[0]
    assert content_hash({"answers": [{"item": "a", "value": deep}]}, []) is None
