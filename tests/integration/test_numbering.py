"""Document numbers against the real server: one sequence per kind, region and year, never given twice."""
import threading

import pytest

from server import numbering
from server.db import database


def take(app, kind="record", region="370100", year=2026):
    with app.app_context():
        return numbering.next_number(database("records"), kind, region, year)


def test_numbers_follow_the_official_style_with_the_region_short_name(app):
    assert take(app)["number"] == "(济南)应急检记〔2026〕1号"
    assert take(app)["number"] == "(济南)应急检记〔2026〕2号"
    assert take(app, "order", "370102")["number"] == "(历下)应急责改〔2026〕1号"
    assert take(app, "reinspection", "370102")["number"] == "(历下)应急复查〔2026〕1号"
    assert take(app, "decision", "370000")["number"] == "(山东)应急现决〔2026〕1号"
    assert take(app, year=2027)["n"] == 1                     # a new year starts again at 1
    app.config["DOC_REGION_SHORTS"] = '{"370100": "济"}'
    assert take(app)["number"] == "(济)应急检记〔2026〕3号"    # the setting names it, the sequence goes on


def test_concurrent_requests_never_get_the_same_number(app):
    taken, errors = [], []

    def worker():
        try:
            for _ in range(8):
                taken.append(take(app, "order")["n"])
        except Exception as exc:  # noqa: BLE001 - any failure in a thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(taken)) == 64, "a number was given twice"
    # one server: no gaps; an Apache CouchDB cluster may skip a number whose creation two requests raced
    # for on different copies (answered 202 to the one that did not get a quorum)
    assert sorted(taken) == list(range(1, 65)) or "couchdb" in _engine(app)


def _engine(app) -> str:
    from server.db import couch
    with app.app_context():
        return str(couch().info())


def test_a_counter_behind_the_numbers_taken_costs_tries_not_numbers(app):
    """The counter is a hint: set back (a lost race, a restore), it makes the next request try numbers
    already taken, and skip them."""
    first, second = take(app, "decision")["n"], take(app, "decision")["n"]
    with app.app_context():
        records = database("records")
        hint = records.get(numbering.counter_id("decision", "370100", 2026))
        records.put({**hint, "value": 0})
    assert (first, second, take(app, "decision")["n"]) == (1, 2, 3)


@pytest.mark.parametrize("kind,region", [("nope", "370100"), ("record", "999999"), ("record", "37010")])
def test_bad_kinds_and_regions_are_refused(app, kind, region):
    with pytest.raises(Exception):
        take(app, kind, region)


def test_default_short_names_drop_the_administrative_suffix():
    assert numbering.default_short_name("370102") == "历下"
    assert numbering.default_short_name("370124") == "平阴"
    assert numbering.default_short_name("370103") == "市中"


@pytest.mark.parametrize("raw", ["not json", "[1]", '{"3701": "济南"}', '{"370100": ""}', '{"370100": 5}'])
def test_a_bad_short_name_setting_stops_the_start_with_a_reason(raw):
    from server.config import Config, ConfigError
    env = {"SECRET_KEY": "s" * 40, "COUCHDB_URL": "http://x", "QR_KEYS": "k", "QR_ACTIVE_KEY": "k",
           "DOC_REGION_SHORTS": raw}
    with pytest.raises(ConfigError, match="DOC_REGION_SHORTS"):
        Config(env).check()
