"""Key-paged lists (pure parts): cursors, scope narrowing, day bounds, and which view rows a filter reads."""
from datetime import date

import pytest

from i18n import Problem
from server.hazards.register import plan_query as register_plan
from server.listing import HIGH, KeyRange, day_bounds, decode_cursor, encode_cursor, narrowed_prefix
from server.review.queue import plan_query as queue_plan
from sync.worker.cases import utc
from sync.worker.filing import review_status

TODAY = date(2026, 12, 1)


def queue_args(**extra):
    return {"review_status": "pending", "limit": 50, "cursor": None, "from_": None, "to": None, **extra}


def test_a_cursor_round_trips_and_cannot_leave_its_range():
    rng = KeyRange(("q", "pending", "3701"), "", HIGH)
    key = ["q", "pending", "3701", "2026-11-23T02:00:00+00:00", "inspection:x"]
    assert decode_cursor(encode_cursor(key), rng) == key
    for other in (["q", "pending", "37", "2026", "i"], ["q", "*", "3701", "2026", "i"], ["q", "pending", "3701"],
                  ["q", "pending", "3701", 5, "i"], ["q", "pending", "3701", "x" * 200, "i"], {"a": 1}, "text"):
        with pytest.raises(Problem):
            decode_cursor(encode_cursor(other), rng)
    for junk in ("%%%", "A" * 601, "bm90IGpzb24", "////"):
        with pytest.raises(Problem):
            decode_cursor(junk, rng)
    dated = KeyRange(("q", "pending", "3701"), "2026-03-01", "2026-04-01")
    with pytest.raises(Problem):
        decode_cursor(encode_cursor(["q", "pending", "3701", "2026-05-01T00:00:00+00:00", "i"]), dated)


@pytest.mark.parametrize("scope,region,expected", [
    ("3701", None, "3701"), ("3701", "370102", "370102"), ("3701", "370000", "3701"), ("3701", "37", "3701"),
    ("3701", "370202", None), ("", "370202", "370202"), ("370102", "370100", "370102"), ("370102", "370103", None),
])
def test_a_region_filter_narrows_the_scope_and_never_widens_it(scope, region, expected):
    assert narrowed_prefix(scope, region) == expected


def test_days_are_shanghai_days_in_utc():
    assert day_bounds(date(2026, 3, 1), date(2026, 3, 31)) == ("2026-02-28T16:00:00+00:00", "2026-03-31T16:00:00+00:00")
    assert day_bounds(None, None) == ("", HIGH)


def test_the_queue_reads_the_most_selective_family():
    assert queue_plan(queue_args(), "3701")[0].fixed == ("q", "pending", "3701")
    assert queue_plan(queue_args(), "3701")[0].descending is False          # the queue: oldest first
    assert queue_plan(queue_args(review_status="all"), "")[0] == KeyRange(("q", "*", ""), "", HIGH, True)
    assert queue_plan(queue_args(major=True, sector="machinery"), "37")[0].fixed == ("qm", "pending", "37")
    assert queue_plan(queue_args(sector="machinery"), "37")[0].fixed == ("qs", "machinery", "pending", "37")
    assert queue_plan(queue_args(verdict="warning"), "37")[0].fixed == ("qw", "pending", "37")
    plan_range, keep = queue_plan(queue_args(plan="plan:" + "a" * 16), "3701")
    assert plan_range.fixed == ("qp", "plan:" + "a" * 16)
    row = ["pending", "370102", "machinery", "plan:x", "ok", 0, 1, "", "", "random", ""]
    assert keep(row) and not keep(["pending", "370202", *row[2:]]) and not keep(["approved", *row[1:]])
    assert queue_plan(queue_args(region="370202"), "3701") is None


def test_the_register_reads_the_most_selective_family():
    args = {"limit": 50, "cursor": None, "from_": None, "to": None}
    assert register_plan(args, "3701", TODAY)[0].fixed == ("c", "*", "3701")
    overdue, keep = register_plan({**args, "overdue": True}, "3701", TODAY)
    assert overdue == KeyRange(("cd", "3701"), "", "2026-12-01") and keep(["ordered", "general", "370102", "", 0, "",
                                                                             "", "2026-01-01T00:00:00+00:00"])
    assert register_plan({**args, "escalated_to": "370100"}, "3701", TODAY)[0].fixed == ("ce", "370100")
    assert register_plan({**args, "escalated_to": "370000"}, "3701", TODAY) is None   # above the caller
    assert register_plan({**args, "supervised": True}, "37", TODAY)[0].fixed == ("cm", "*", "37")
    assert register_plan({**args, "sector": "machinery", "state": "closed"}, "37", TODAY)[0].fixed == \
        ("cs", "machinery", "closed", "37")


def test_review_status_after_filing_and_phone_times_in_utc():
    assert review_status("finished", None) == "pending"
    assert review_status("draft", None) == "draft"
    assert review_status("draft", {"review_status": "returned"}) == "returned"
    assert review_status("finished", {"review_status": "returned"}) == "pending"
    assert utc("2026-11-23T10:00:00+08:00") == "2026-11-23T02:00:00+00:00" and utc("not a time") == "not a time"
