"""The bureau's day is China's (Asia/Shanghai), whatever the server's zone: between 16:00 and 24:00 UTC the
UTC date is a day behind, and the audit reader's periods, certificate states and the draw's checks must not be."""
from datetime import date

from flask import Flask

from server.auditlog import reader
from server.plans import certificates, team_rules


def _on(day: str) -> Flask:
    app = Flask(__name__)
    app.config["CLOCK_TODAY"] = day
    return app


def test_an_audit_period_is_whole_days_in_china_time():
    sel = reader.selector({"since": "2026-12-03", "until": "2026-12-03"})
    # 2026-12-03 in China runs from 16:00 UTC the day before to 16:00 UTC that day.
    assert sel["at"] == {"$gte": "2026-12-02T16:00:00+00:00", "$lt": "2026-12-03T16:00:00+00:00"}
    written_at_01_30_in_china = "2026-12-02T17:30:00.000+00:00"
    assert sel["at"]["$gte"] <= written_at_01_30_in_china < sel["at"]["$lt"]
    with _on("2026-12-03").app_context():
        assert reader.default_period() == ("2026-11-03", "2026-12-03")


def test_certificates_count_from_the_bureaus_day():
    person = {"cert_expires": "2026-12-02"}
    with _on("2026-12-02").app_context():
        assert certificates.state(person)["status"] == "expiring"
        assert certificates.soon(10) == "2026-12-12"
    with _on("2026-12-03").app_context():
        assert certificates.state(person) == {"status": "expired", "until": "2026-12-02", "days_left": -1}
        assert certificates.draw_reference_day({"period": {"start": "2026-11-01"}}) == date(2026, 12, 3)
        assert certificates.draw_reference_day({"period": {"start": "2026-12-20"}}) == date(2026, 12, 20)


def test_an_expired_certificate_is_refused_on_the_bureaus_day():
    person = {"_id": "inspector:x", "type": "inspector", "name": "王五", "cert_expires": "2026-12-02", "region": "370102"}
    task = {"enterprise": "91370102722818664H", "window": {}}
    plan = {"author_region": "370100", "rules": {"team": {}}}
    enterprise = {"region": "370102", "industry": "化工"}
    with _on("2026-12-02").app_context():
        assert "2026-12-02" not in (team_rules.person_problem(person, person["_id"], enterprise, task, plan) or "")
    with _on("2026-12-03").app_context():
        problem = team_rules.person_problem(person, person["_id"], enterprise, task, plan)
    assert problem and "2026-12-02" in problem
