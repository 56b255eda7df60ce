"""Fixtures for the enterprise portal's tests: enterprises in the register, their accounts opened through the
console as the bureau does, and those accounts signed in with their first password changed."""
from __future__ import annotations

import random
import re
from datetime import date, timedelta

from schemas.identifiers import make_uscc
from server.db import registry
from tests.integration.review_fixtures import jpeg

_rng = random.Random(20261202)
NEW_PASSWORD = "quiet lantern orchard 47"


def company(app, region: str = "370102", name: str = "济南华泰机械制造有限公司", sector: str = "machinery") -> dict:
    """An active enterprise with its main site, written to the register."""
    uscc = make_uscc(region, _rng)
    docs = [{"_id": f"enterprise:{uscc}", "type": "enterprise", "uscc": uscc, "name": name, "region": region,
             "industry": sector, "address": "济南市历下区经十路100号", "risk": "yellow", "std_level": "3",
             "active": True},
            {"_id": f"site:{uscc}:01", "type": "site", "enterprise": uscc, "name": "主厂区", "address": "经十路100号",
             "lng": 117.05, "lat": 36.66, "radius_m": 200, "region": region, "crs": "WGS84", "main": True}]
    with app.app_context():
        registry().bulk_docs(docs)
    return {"uscc": uscc, "name": name, "region": region}


def open_account(staff, uscc: str, username: str | None = None):
    """The bureau's 开通企业账号 form; returns the response."""
    return staff.post(f"/console/enterprises/{uscc}/account",
                      data={"username": username or f"e{uscc.lower()}", "display_name": "企业安全员"})


def initial_password(res) -> str:
    found = re.search(r'data-t="initial-password">([^<]+)<', res.get_data(as_text=True))
    assert found, res.get_data(as_text=True)[:2000]
    return found.group(1)


class Portal:
    """A browser of an enterprise account: signed in on the console's form, CSRF token sent with each post."""

    def __init__(self, app, username: str, password: str, change_to: str | None = NEW_PASSWORD):
        self.client = app.test_client()
        self.username = username
        res = self.client.post("/api/v1/auth/login", json={"username": username, "password": password},
                               headers={"X-CSRFToken": self._csrf()})
        assert res.status_code == 200, res.get_json()
        self.csrf = res.get_json()["csrf_token"]
        if change_to:
            res = self.post("/enterprise/account", data={"current_password": password, "new_password": change_to,
                                                         "confirm_password": change_to})
            assert res.status_code == 302, res.get_data(as_text=True)[:500]
            self.csrf = self.client.get("/api/v1/auth/csrf").get_json()["csrf_token"]

    def _csrf(self) -> str:
        return self.client.get("/api/v1/auth/csrf").get_json()["csrf_token"]

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        kwargs.setdefault("headers", {}).setdefault("X-CSRFToken", self.csrf)
        return self.client.post(*args, **kwargs)


def portal_for(app, staff, uscc: str) -> Portal:
    res = open_account(staff, uscc)
    assert res.status_code == 201, res.get_data(as_text=True)[:1000]
    return Portal(app, f"e{uscc.lower()}", initial_password(res))


def hazard_form(**extra) -> dict:
    """A general hazard with its plan, as the portal's form sends it (without the photos)."""
    form = {"description": "二号车间配电箱门损坏，带电部位外露", "location": "二号车间东侧", "grade": "general",
            "item": "", "measures": "更换配电箱门并加锁", "responsible": "赵刚（设备部）", "funds": "2000元",
            "deadline": (date.today() + timedelta(days=20)).isoformat(), "contingency": ""}
    form.update(extra)
    return form


def with_photos(form: dict, *photos: bytes) -> dict:
    import io
    return {**form, "photos": [(io.BytesIO(p), f"p{n}.jpg") for n, p in enumerate(photos or (jpeg(),))]}
