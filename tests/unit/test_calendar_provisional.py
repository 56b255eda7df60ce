"""The calendar never refuses (pure): unannounced years by rule and marked provisional, the deadline rule
shared by 五到位 and orders, their agreement, the recount, the notice checks, the clock."""
import json
from datetime import date, timedelta

import pytest
from flask import Flask

from i18n import Problem
from server import clock
from server.calendar import notices, provisional, recount, workdays
from server.calendar.workdays import deadline, is_working_day, known_until, parse_extra
from server.hazards import loop

NONE = {}
Y2027 = parse_extra({"2027": {"holidays": ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10",
                                           "2027-02-11"], "workdays": ["2027-02-06"]}})
AT = "2026-12-02T02:00:00+00:00"
TODAY = date(2026, 12, 2)
FIVE = {"measures": "更换防爆电气", "responsible": "张三（设备部）", "funds": "5万元，企业自筹",
        "deadline": "2027-01-15", "contingency": "停用该区域，设警戒"}


def refused(code, fn, *args, **kwargs):
    with pytest.raises(Problem) as err:
        fn(*args, **kwargs)
    assert err.value.code == code, err.value.code
    return err.value


@pytest.mark.parametrize("day, working", [
    ("2027-01-01", False),   # 元旦
    ("2027-02-08", False),   # 春节 by the lunar rule (初二)
    ("2027-04-05", False),   # 清明
    ("2027-05-01", False),   # 劳动节 (a Saturday) …
    ("2027-05-03", False),   # … and the weekday it moves to
    ("2027-10-01", False),   # 国庆
    ("2027-03-01", True),    # an ordinary Monday
    ("2027-03-06", False),   # an ordinary Saturday
])
def test_an_unannounced_year_follows_the_statutory_holidays(day, working):
    assert is_working_day(date.fromisoformat(day), NONE) is working
    assert provisional.is_working_day(date.fromisoformat(day)) is working


def test_a_deadline_is_provisional_exactly_when_it_counted_an_unannounced_year():
    assert deadline(date(2026, 12, 1), 5, "working", NONE) == (date(2026, 12, 8), False)
    into = deadline(date(2026, 12, 28), 5, "working", NONE)       # 29, 30, 31, (1 Jan off), 4, 5
    assert into == (date(2027, 1, 5), True)
    assert deadline(date(2026, 12, 28), 5, "working", Y2027) == (date(2027, 1, 5), False)
    assert deadline(date(2026, 12, 28), 10, "calendar", NONE) == (date(2027, 1, 7), False)
    assert deadline(date(2026, 12, 22), 10, "calendar", NONE, roll_forward=True).provisional is True


def test_a_notice_counts_its_make_up_days_where_the_rule_cannot():
    # The rule knows no make-up Saturday: 5 February 2027 onwards by rule vs by the (test) notice.
    by_rule = deadline(date(2027, 2, 4), 1, "working", NONE)
    by_notice = deadline(date(2027, 2, 4), 1, "working", Y2027)
    assert by_notice == (date(2027, 2, 6), False) and by_rule.day > by_notice.day and by_rule.provisional


def test_far_years_are_weekends_only_and_never_raise():
    assert is_working_day(date(2150, 3, 3), NONE) is (date(2150, 3, 3).weekday() < 5)
    assert deadline(date(2099, 12, 1), 3660, "working", NONE).provisional


def test_known_until_moves_with_the_sources_and_the_later_source_wins(monkeypatch):
    nxt = known_until(NONE).year + 1
    mine = parse_extra({str(nxt): {"holidays": [f"{nxt}-01-01"]}})
    theirs = parse_extra({str(nxt): {"holidays": [f"{nxt}-01-02"]}})
    monkeypatch.setattr(workdays, "_sources", [lambda: mine, lambda: theirs])
    monkeypatch.setattr(workdays, "load_extra", lambda path=None: {})
    assert known_until() == date(nxt, 12, 31)
    assert workdays.official_years() == theirs


def test_a_broken_calendar_file_counts_as_absent_and_names_no_server_path(tmp_path, monkeypatch):
    bad = tmp_path / "extra.json"
    bad.write_text("{not json")
    monkeypatch.setenv("CALENDAR_EXTRA_FILE", str(bad))
    monkeypatch.setattr(workdays, "_cache", {})
    assert workdays.official_years() == {}                          # pages keep working …
    assert is_working_day(date(2027, 3, 1)) is True
    with pytest.raises(Problem) as err:                             # … the status page says why
        workdays.official_years(strict=True)
    assert str(tmp_path) not in err.value.message() and "extra.json" in err.value.message()
    bad.write_text(json.dumps({"2031": {"holidays": ["2032-01-01"]}}))
    monkeypatch.setattr(workdays, "_cache", {})
    with pytest.raises(Problem) as err:
        workdays.load_extra()
    assert str(tmp_path) not in err.value.message()


def test_one_rule_for_every_deadline_typed_or_counted():
    refused("hazard.deadline_past", loop.check_deadline, date(2026, 12, 1), TODAY)
    loop.check_deadline(TODAY, TODAY)
    latest = workdays.add_days(TODAY, loop.MAX_ORDER_DAYS, "working", NONE)
    loop.check_deadline(latest, TODAY, NONE)
    err = refused("hazard.deadline_too_far", loop.check_deadline, latest + timedelta(days=1), TODAY, NONE)
    assert err.params["latest"] == latest.isoformat()
    major = {"_id": "case:x", "state": "found", "grade": "major", "history": []}
    refused("hazard.deadline_past", loop.set_five_in_place, major, {**FIVE, "deadline": "2026-11-30"}, "s", AT, TODAY)
    refused("hazard.deadline_too_far", loop.set_five_in_place, major, {**FIVE, "deadline": "2030-01-01"}, "s", AT, TODAY)


def test_a_major_order_gives_no_longer_than_the_five_in_place_and_says_why_it_is_shorter():
    major = loop.set_five_in_place({"_id": "case:x", "state": "found", "grade": "major", "history": []},
                                   FIVE, "sup", AT, TODAY)
    err = refused("hazard.order_after_five", loop.order, major, "order:1", date(2027, 1, 18), "sup", AT, today=TODAY)
    assert err.params == {"deadline": "2027-01-18", "five": "2027-01-15"}
    same = loop.order(major, "order:1", date(2027, 1, 15), "sup", AT, today=TODAY)
    assert loop.deadline_agreement(same) is None
    earlier = loop.order(major, "order:1", date(2026, 12, 23), "sup", AT, today=TODAY, provisional=False)
    assert loop.deadline_agreement(earlier) == {"relation": "earlier", "five": "2027-01-15", "deadline": "2026-12-23"}
    refused("hazard.five_before_order", loop.set_five_in_place, earlier, {**FIVE, "deadline": "2026-12-20"},
            "sup", AT, TODAY)
    assert loop.set_five_in_place(earlier, {**FIVE, "deadline": "2026-12-23"}, "sup", AT, TODAY)
    general = {"_id": "case:y", "state": "found", "grade": "general", "history": []}
    assert loop.order(general, "order:1", date(2027, 3, 1), "sup", AT, today=TODAY)["deadline"] == "2027-03-01"


def test_the_days_that_reach_a_five_in_place_deadline():
    assert loop.working_days_until(TODAY, date(2026, 12, 9), NONE) == 5            # Thu … Wed
    assert workdays.add_days(TODAY, 5, "working", NONE) == date(2026, 12, 9)
    assert loop.working_days_until(TODAY, date(2026, 12, 6), NONE) == 2            # a Sunday: Thu and Fri
    assert loop.working_days_until(TODAY, TODAY, NONE) == 0
    assert loop.working_days_until(date(2026, 12, 4), date(2026, 12, 6), NONE) == 0  # Fri → Sun: none


def test_a_provisional_deadline_is_recounted_with_the_notice():
    # by rule 5-10 February are off and 11 February is the next working day; the notice works Saturday 6th
    case = {"_id": "case:x", "state": "ordered", "deadline": "2027-02-11", "deadline_provisional": True,
            "deadline_rule": {"from": "2027-02-04", "days": 1, "unit": "working"}, "history": []}
    assert recount.recounted(case, "admin", AT, NONE) is None                # still unknown: unchanged
    new = recount.recounted(case, "admin", AT, Y2027)
    assert new["deadline"] == "2027-02-06" and new["deadline_provisional"] is False
    assert new["history"][-1]["action"] == "recount_deadline" and "2027-02-11 → 2027-02-06" in new["history"][-1]["note"]
    assert case["deadline"] == "2027-02-11"                                 # pure: the input is untouched
    assert recount.recounted({**case, "deadline_rule": None}, "admin", AT, Y2027) is None
    assert recount.recounted({**case, "deadline_provisional": False}, "admin", AT, Y2027) is None


def test_notice_dates_are_read_leniently_and_checked_strictly():
    assert notices.parse_dates("2027-01-01\n2027-02-05，2027-02-06、 2027-01-01", "holidays") == \
        ["2027-01-01", "2027-02-05", "2027-02-06"]
    refused("calendar.notice_bad_date", notices.parse_dates, "2027-01-01\n1月2日", "holidays")
    refused("calendar.notice_too_many", notices.parse_dates, "\n".join(["2027-01-01"] * 61), "holidays")
    first = notices.first_open_year()
    notices.check_notice(first, [f"{first}-01-01"], [], TODAY)
    refused("calendar.notice_bad_year", notices.check_notice, first - 1, [f"{first - 1}-01-01"], [], TODAY)
    refused("calendar.notice_bad_year", notices.check_notice, TODAY.year + 3, [f"{TODAY.year + 3}-01-01"], [], TODAY)
    refused("calendar.notice_no_holidays", notices.check_notice, first, [], [], TODAY)
    refused("calendar.bad_extra_year", notices.check_notice, first, [f"{first + 1}-01-01"], [], TODAY)
    refused("calendar.bad_extra_both", notices.check_notice, first, [f"{first}-01-01"], [f"{first}-01-01"], TODAY)
    weekday = next(date(first, 3, d) for d in range(1, 8) if date(first, 3, d).weekday() == 2)
    refused("calendar.notice_workday_weekday", notices.check_notice, first, [f"{first}-01-01"], [weekday.isoformat()], TODAY)


def test_the_clock_is_real_unless_the_application_sets_the_day():
    assert abs((clock.today() - date.today()).days) <= 1
    app = Flask(__name__)
    app.config["CLOCK_TODAY"] = "2027-06-30"
    with app.app_context():
        assert clock.today() == date(2027, 6, 30)
    assert notices.stored_years() == {}                                     # no application: no stored notices
