"""The gateway's streaming body check: size caps and design documents, however the body is cut into chunks."""
import base64
import json
import os
import time

import pytest

from i18n import Problem
from server.gateway.body import BodyGuard

MB = 1024 * 1024


def feed(body: bytes, cuts: list[int], limit: int = 10 * MB, scan: bool = True) -> None:
    guard = BodyGuard(limit, "gateway.body_too_large", scan=scan)
    edges = [0, *cuts, len(body)]
    for start, end in zip(edges, edges[1:]):
        assert guard.check(body[start:end]) == body[start:end]


def problem(body: bytes, cuts=(), **kwargs) -> str | None:
    try:
        feed(body, list(cuts), **kwargs)
    except Problem as exc:
        return exc.code
    return None


HOSTILE = [
    b'{"docs":[{"_id":"_design/evil","validate_doc_update":"function(){}"}]}',
    b'{"docs":[{"a":1},{"_id"   \n\t :  \r "_design/x"}]}',
    b'{"docs":[{"_id":"_design\\/x"}]}',
    b'{"_id":"_designer"}',
]
ESCAPED = [
    b'{"docs":[{"\\u005fid":"_design/x"}]}',
    b'{"docs":[{"_id":"\\u005Fdesign/x"}]}',
    b'{"docs":[{"_id":"_\\u0064esign/x"}]}',
]


@pytest.mark.parametrize("body", HOSTILE)
def test_design_documents_are_found_at_every_cut(body):
    for i in range(len(body) + 1):
        for j in range(i, len(body) + 1, 3):
            assert problem(body, [i, j]) == "gateway.design_in_body", (i, j)


@pytest.mark.parametrize("body", ESCAPED)
def test_escaped_ascii_is_refused_at_every_cut(body):
    for i in range(len(body) + 1):
        assert problem(body, [i]) in ("gateway.escaped_ascii", "gateway.design_in_body"), i


def test_whitespace_cannot_push_the_name_out_of_sight():
    body = b'{"docs":[{"_id"' + b" " * 300_000 + b':' + b"\n" * 200_000 + b'"_design/x"}]}'
    assert problem(body, list(range(1000, len(body), 65536))) == "gateway.design_in_body"


def test_ordinary_documents_pass():
    docs = [{"_id": f"inspection:{i}", "type": "inspection", "note": "安全出口被堵 \"引号\" \\ _design _id",
             "design": "_design", "id": "_design/x", "text": 'say "_id": "_design"'} for i in range(200)]
    body = json.dumps({"docs": docs, "new_edits": False}, ensure_ascii=False).encode()
    assert problem(body, list(range(7, len(body), 1000))) is None
    assert problem(json.dumps({"docs": docs}).encode(), [100]) is None  # \uXXXX of non-ASCII is fine
    assert problem(b'{"_id":"_local/checkpoint","x":"\\u0001\\n"}') is None


def test_size_cap_counts_streamed_bytes():
    assert problem(b"x" * 1000, [10, 500], limit=1000, scan=False) is None
    assert problem(b"x" * 1001, [10, 500], limit=1000, scan=False) == "gateway.body_too_large"
    guard = BodyGuard(2 * MB, "gateway.attachment_too_large")
    guard.check(b"x" * 2 * MB)
    with pytest.raises(Problem) as caught:
        guard.check(b"x")
    assert caught.value.code == "gateway.attachment_too_large" and caught.value.params == {"limit": 2}


def test_scanning_a_batch_of_photos_is_fast():
    photos = [{"_id": f"photo:{i}", "_attachments": {"p.jpg": {"content_type": "image/jpeg",
              "data": base64.b64encode(os.urandom(200_000)).decode()}}} for i in range(50)]
    body = json.dumps({"docs": photos}).encode()
    started = time.perf_counter()
    feed(body, list(range(65536, len(body), 65536)), limit=20 * MB)
    assert time.perf_counter() - started < 0.5  # about 2 ms per MB here; the full-regex version took 10x


@pytest.mark.parametrize("filler", [b"_", b"_desig", b"\\\\", b'"_id":"', b"_" * 63 + b"x"])
def test_a_body_full_of_the_first_byte_is_still_checked_and_still_cheap(filler):
    """The memchr shortcut gives way to the pattern when the first byte is everywhere; nothing slips past."""
    padding = filler * (4 * MB // len(filler))
    for hidden, code in ((b'{"_id":"_design/x"}', "gateway.design_in_body"),
                         (b'{"\\u005fid":"x"}', "gateway.escaped_ascii")):
        body = padding + hidden + padding
        started = time.perf_counter()
        assert problem(body, [MB, 2 * MB, len(padding) + 3], limit=20 * MB) == code
        assert time.perf_counter() - started < 2.0
    started = time.perf_counter()
    clean = problem(padding, [MB], limit=20 * MB)
    assert time.perf_counter() - started < 2.0
    assert clean in (None, "gateway.escaped_ascii")  # a backslash filler is a run of escapes, not \u00
