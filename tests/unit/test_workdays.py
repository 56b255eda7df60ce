"""Working-day calculator: official holidays and 调休 make-up days, calendar days, unknown years, extra file."""
import json
from datetime import date, datetime

import chinese_calendar
import pytest

from i18n import Problem
from server.calendar import workdays
from server.calendar.workdays import add_days, is_working_day, known_until, load_extra, parse_extra

NONE = {}  # an explicit empty operator calendar: tests never depend on the file in data/


@pytest.mark.parametrize("day, working", [
    ("2025-01-26", True),    # Sunday, make-up workday before Spring Festival
    ("2025-01-27", True),
    ("2025-01-28", False),   # 除夕 … 正月初七
    ("2025-01-31", False),
    ("2025-02-04", False),
    ("2025-02-05", True),
    ("2025-02-08", True),    # Saturday, make-up workday after Spring Festival
    ("2025-02-09", False),   # an ordinary Sunday
    ("2025-09-28", True),    # Sunday, make-up workday before National Day
    ("2025-10-01", False),
    ("2025-10-08", False),
    ("2025-10-09", True),
    ("2025-10-11", True),    # Saturday, make-up workday after National Day
    ("2025-10-12", False),
])
def test_2025_holidays_and_make_up_days(day, working):
    assert is_working_day(date.fromisoformat(day), NONE) is working


def test_counting_starts_the_day_after_start():
    assert add_days(date(2025, 3, 3), 1, "working", NONE) == date(2025, 3, 4)
    assert add_days(date(2025, 3, 7), 1, "working", NONE) == date(2025, 3, 10)   # Friday → Monday
    assert add_days(date(2025, 3, 3), 0, "working", NONE) == date(2025, 3, 3)


def test_working_days_across_spring_festival():
    # Friday 24 Jan: next working day is Sunday 26 (调休), then Mon 27, then nothing until 5 Feb.
    assert add_days(date(2025, 1, 24), 1, "working", NONE) == date(2025, 1, 26)
    assert add_days(date(2025, 1, 24), 2, "working", NONE) == date(2025, 1, 27)
    assert add_days(date(2025, 1, 24), 3, "working", NONE) == date(2025, 2, 5)
    assert add_days(date(2025, 2, 5), 3, "working", NONE) == date(2025, 2, 8)     # Saturday make-up day


def test_working_days_across_national_day():
    assert add_days(date(2025, 9, 26), 1, "working", NONE) == date(2025, 9, 28)   # Sunday make-up day
    assert add_days(date(2025, 9, 28), 2, "working", NONE) == date(2025, 9, 30)
    assert add_days(date(2025, 9, 28), 3, "working", NONE) == date(2025, 10, 9)   # 1-8 October are off
    assert add_days(date(2025, 9, 30), 7, "working", NONE) == date(2025, 10, 16)  # 9, 10, 11 (Sat), 13 … 16


def test_calendar_days_ignore_holidays_unless_rolled_forward():
    assert add_days(date(2025, 9, 30), 1, "calendar", NONE) == date(2025, 10, 1)
    assert add_days(date(2025, 9, 30), 20, "calendar", NONE) == date(2025, 10, 20)
    assert add_days(date(2025, 9, 30), 1, "calendar", NONE, roll_forward=True) == date(2025, 10, 9)
    assert add_days(date(2025, 9, 26), 2, "calendar", NONE, roll_forward=True) == date(2025, 9, 28)


def test_calendar_days_need_no_calendar_data():
    assert add_days(date(2031, 1, 1), 10, "calendar", NONE) == date(2031, 1, 11)


def test_datetime_is_taken_as_its_date():
    assert is_working_day(datetime(2025, 10, 1, 9, 30), NONE) is False


def test_unknown_year_is_counted_by_rule_not_refused():
    # 2031: no notice, no package data. 1 January (元旦) is a statutory holiday by rule; 3 March a Monday.
    assert is_working_day(date(2031, 1, 1), NONE) is False
    assert is_working_day(date(2031, 3, 3), NONE) is True
    assert add_days(date(2031, 3, 3), 5, "working", NONE) == date(2031, 3, 10)


def test_operator_year_extends_the_package():
    extra = parse_extra({"2031": {"holidays": ["2031-01-01", "2031-01-02"], "workdays": ["2031-01-04"]}})
    assert is_working_day(date(2031, 1, 1), extra) is False
    assert is_working_day(date(2031, 1, 4), extra) is True            # a Saturday made a workday
    assert is_working_day(date(2031, 1, 5), extra) is False           # an ordinary Sunday
    assert add_days(date(2031, 1, 1), 1, "working", extra) == date(2031, 1, 3)


def test_operator_dates_override_the_package():
    extra = parse_extra({"2025": {"holidays": ["2025-03-04"], "workdays": ["2025-10-08"]}})
    assert is_working_day(date(2025, 3, 4), extra) is False
    assert is_working_day(date(2025, 10, 8), extra) is True
    assert is_working_day(date(2025, 10, 7), extra) is False          # the package still counts


def test_extra_file_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "extra.json"
    path.write_text(json.dumps({"_note": "comment", "2031": {"holidays": ["2031-01-01"], "workdays": []}}))
    monkeypatch.setattr(workdays, "_cache", {})
    monkeypatch.setenv("CALENDAR_EXTRA_FILE", str(path))
    assert is_working_day(date(2031, 1, 1)) is False
    assert is_working_day(date(2031, 1, 2)) is True
    assert add_days(date(2030, 12, 31), 1) == date(2031, 1, 2)


def test_missing_extra_file_means_no_extra(tmp_path, monkeypatch):
    monkeypatch.setenv("CALENDAR_EXTRA_FILE", str(tmp_path / "absent.json"))
    assert load_extra() == {}
    assert is_working_day(date(2025, 10, 11)) is True


def test_shipped_extra_file_is_valid():
    assert isinstance(load_extra(workdays.DEFAULT_EXTRA_FILE), dict)


@pytest.mark.parametrize("text", ["not json", "[]", '{"2031": []}', '{"31": {}}', '{"2031": {"holiday": []}}',
                                  '{"2031": {"holidays": ["2031-13-01"]}}', '{"2031": {"holidays": "2031-01-01"}}',
                                  '{"2031": {"holidays": [20310101]}}'])
def test_malformed_extra_file_is_refused(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(Problem) as info:
        load_extra(path)
    assert info.value.code == "calendar.bad_extra"


def test_extra_dates_must_sit_in_their_year_and_not_twice():
    with pytest.raises(Problem) as info:
        parse_extra({"2031": {"holidays": ["2032-01-01"]}})
    assert info.value.code == "calendar.bad_extra_year"
    with pytest.raises(Problem) as info:
        parse_extra({"2031": {"holidays": ["2031-01-01"], "workdays": ["2031-01-01"]}})
    assert info.value.code == "calendar.bad_extra_both"


def test_oversized_extra_list_is_refused():
    with pytest.raises(Problem):
        parse_extra({"2031": {"holidays": ["2031-01-01"] * 400}})


@pytest.mark.parametrize("n", [-1, 3661, 10**9, 1.5, "3", True, None])
def test_bad_counts_are_refused(n):
    with pytest.raises(Problem) as info:
        add_days(date(2025, 1, 1), n, "working", NONE)
    assert info.value.code == "calendar.bad_count"


def test_bad_unit_and_date_are_refused():
    with pytest.raises(Problem) as info:
        add_days(date(2025, 1, 1), 1, "weeks", NONE)
    assert info.value.code == "calendar.bad_unit"
    with pytest.raises(Problem) as info:
        add_days("2025-01-01", 1, "working", NONE)
    assert info.value.code == "calendar.bad_date"


def test_messages_exist_in_both_languages():
    for key in ("calendar.bad_extra", "calendar.bad_count", "calendar.bad_unit"):
        zh = Problem(key, year=2031, path="p", detail="d", value="v", max=1, unit="u").message("zh_CN")
        en = Problem(key, year=2031, path="p", detail="d", value="v", max=1, unit="u").message("en")
        assert zh != key and en != key and zh != en


def test_known_until_is_the_end_of_the_unbroken_run_of_known_years():
    package_last = max(chinese_calendar.holidays).year
    assert known_until(NONE) == date(package_last, 12, 31)
    next_two = {str(package_last + 1): {"holidays": []}, str(package_last + 2): {"holidays": []}}
    assert known_until(parse_extra(next_two)) == date(package_last + 2, 12, 31)
    gap = {str(package_last + 2): {"holidays": []}}          # a year after a gap does not extend the run
    assert known_until(parse_extra(gap)) == date(package_last, 12, 31)
