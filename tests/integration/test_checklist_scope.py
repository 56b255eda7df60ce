"""Checklist templates scoped by level (issue 14): `lixia.sup` cut `hazardous_chemicals_major` to one item,
which every county's next tasks then used, unaudited. Now built-in and province templates are published
by a province's admins, city ones by that city's admins, county ones in their county alone; each audited."""
from __future__ import annotations

from tests.integration import lag
from tests.integration.helpers import race, race_codes


def _body(session, key: str) -> dict:
    doc = session.get(f"/api/v1/checklists/{key}").get_json()
    return {k: v for k, v in doc.items() if k not in ("_id", "_rev", "type", "version", "created_at", "created_by")}


def test_a_county_supervisor_cannot_cut_a_built_in_template(app, login):
    lixia = login("supervisor", "370102", username="lixia.sup")
    body = _body(lixia, "hazardous_chemicals_major")
    res = lixia.post("/api/v1/checklists", json={**body, "items": body["items"][:1]})
    assert res.status_code == 403 and "省级" in res.get_json()["message"]
    assert lixia.get("/api/v1/checklists/hazardous_chemicals_major").get_json()["version"] == 1
    city_admin = login("admin", "370100", username="jinan.admin")
    assert city_admin.post("/api/v1/checklists", json=body).status_code == 403
    assert lag.audit_entries(app, "checklist.publish") == []


def test_a_province_admin_publishes_a_built_in_version_and_it_is_audited(app, login):
    admin = login("admin", "370000", username="sd.admin")
    body = _body(admin, "hazardous_chemicals_major")
    res = admin.post("/api/v1/checklists", json={**body, "items": body["items"][:2]})
    assert res.status_code == 201 and res.get_json()["version"] == 2
    entry = lag.audit_entries(app, "checklist.publish")[0]
    assert entry["actor"] == "sd.admin" and entry["details"]["level"] == "builtin"
    assert entry["details"]["items"]["after"] == 2 and entry["details"]["items"]["before"] > 2


def test_versions_published_at_the_same_moment_are_each_kept_or_refused(app, login):
    """Admins publishing one template at once compute the same next version: every version answered 201 is on
    record with what was sent, and the others are refused (409; 503 on a cluster when no racer reaches a
    quorum), never overwritten by a racer whose creation other copies of the shard accepted."""
    windows = [login("admin", "370000", username="sd.admin") for _ in range(5)]
    body = _body(windows[0], "hazardous_chemicals_major")
    answers = race([lambda s=s, n=n: s.post("/api/v1/checklists", json={**body, "items": body["items"][:n + 1]})
                    for n, s in enumerate(windows)])
    race_codes(app, answers, 201)
    answered = [(a.get_json()["version"], len(a.get_json()["items"])) for a in answers if a.status_code == 201]
    kept = dict(answered)
    assert len(kept) == len(answered) and min(kept, default=2) >= 2, answered   # one version, one publisher
    for version, items in kept.items():
        stored = lag.read_until(lambda v=version: windows[0].get(f"/api/v1/checklists/hazardous_chemicals_major/v{v}"),
                                lambda res: res.status_code == 200 and len(res.get_json()["items"]) == items)
        assert len(stored.get_json()["items"]) == items, version
    assert lag.read_until(lambda: len(lag.audit_entries(app, "checklist.publish")), lambda n: n >= len(kept)) == len(kept)


def test_county_templates_are_local_to_their_county(app, login):
    lixia = login("supervisor", "370102", username="lixia.sup")
    shizhong = login("supervisor", "370103", username="shizhong.sup")
    body = {**_body(lixia, "fire_major_gb35181"), "key": "lixia_local_fire"}
    res = lixia.post("/api/v1/checklists", json=body)
    assert res.status_code == 201
    assert lixia.post("/api/v1/checklists", json=body).get_json()["version"] == 2   # its own county: yes
    refused = shizhong.post("/api/v1/checklists", json=body)
    assert refused.status_code == 403 and "其他区县" in refused.get_json()["message"]
    city_sup = login("supervisor", "370100", username="jinan.sup")
    assert city_sup.post("/api/v1/checklists", json=body).status_code == 403
    entries = lag.audit_entries(app, "checklist.publish")
    assert [(e["actor"], e["details"]["level"], e["details"]["owner_region"]) for e in entries] == [
        ("lixia.sup", "county", "370102"), ("lixia.sup", "county", "370102")]


def test_city_templates_need_that_citys_admin(app, login):
    city_sup = login("supervisor", "370100", username="jinan.sup")
    body = {**_body(city_sup, "fire_major_gb35181"), "key": "jinan_city_fire"}
    assert city_sup.post("/api/v1/checklists", json=body).status_code == 403   # a city level needs an admin
    jinan_admin = login("admin", "370100", username="jinan.admin")
    assert jinan_admin.post("/api/v1/checklists", json=body).status_code == 201
    qingdao_admin = login("admin", "370200", username="qd.admin")
    assert qingdao_admin.post("/api/v1/checklists", json=body).status_code == 403
