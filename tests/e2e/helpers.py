"""E2E data helpers: users with passwords, enterprises seeded through the real HTTP API, signed QR URLs."""
from __future__ import annotations

import random
from datetime import date

import httpx

from schemas.identifiers import make_uscc
from server.qr import signing

PASSWORD = "correct horse battery 9"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 412, "height": 915}
SUPERVISOR = "e2e_supervisor"
SEED = 20261123
_rng = random.Random(SEED + 1)  # for codes made inside tests; the seeded set has its own, below

# (name, region, risk, std_level, site name): a few enterprises a supervisor of Jinan (370100) can see.
ENTERPRISES = [
    ("济南华泰机械制造有限公司", "370102", "黄", "三级", "主厂区"),
    ("济南明湖食品加工有限公司", "370102", "蓝", "二级", "一号车间"),
    ("山东泉城化工有限公司", "370112", "红", "一级", "储罐区"),
    ("济南历城建材有限公司", "370112", "橙", "未定级", "搅拌站"),
]


def uscc(region: str, rng: random.Random = _rng) -> str:
    return make_uscc(region, rng)


def create_user(app, username: str, role: str = "supervisor", region: str = "370100",
                password: str = PASSWORD, display_name: str | None = None, inspector_id: str | None = None) -> dict:
    """A user who can sign in with `password` (written straight to the registry, as the CLI does)."""
    from server.accounts import store
    from server.db import registry
    with app.app_context():
        return store.create_user(registry(), {"username": username, "role": role, "region": region,
                                              "display_name": display_name or username, "password": password,
                                              "inspector_id": inspector_id})


def enterprise_body(name: str, region: str, risk: str = "黄", std_level: str = "三级",
                    site_name: str = "主厂区", rng: random.Random = _rng) -> dict:
    """A valid enterprise with its main site, as POST /api/v1/enterprises takes it."""
    return {"uscc": uscc(region, rng), "name": name, "region": region, "industry": "机械",
            "address": "济南市历下区经十路100号", "legal_rep": "张三", "phone": "0531-88888888",
            "risk": risk, "std_level": std_level,
            "site": {"name": site_name, "address": "济南市历下区经十路100号", "lng": 117.05, "lat": 36.66}}


class Api:
    """An HTTP client of the live server holding a bearer token, as an API client would."""

    def __init__(self, base_url: str, username: str, password: str = PASSWORD):
        self.http = httpx.Client(base_url=base_url, timeout=10)
        res = self.http.post("/api/v1/auth/tokens",
                             json={"username": username, "password": password, "label": "e2e"})
        assert res.status_code == 201, res.text
        self.http.headers["Authorization"] = "Bearer " + res.json()["token"]

    def create_enterprise(self, body: dict) -> dict:
        res = self.http.post("/api/v1/enterprises", json=body)
        assert res.status_code == 201, res.text
        return res.json()

    def close(self) -> None:
        self.http.close()


def seed_enterprises(base_url: str, username: str, extra: list[dict] = ()) -> list[dict]:
    """The ENTERPRISES (and any `extra` bodies) created through the API; returns the bodies sent."""
    # Its own fixed seed: the same credit codes every run, so the screenshots do not change needlessly.
    rng = random.Random(SEED)
    bodies = [enterprise_body(*row, rng=rng) for row in ENTERPRISES]
    bodies += list(extra)
    api = Api(base_url, username)
    try:
        for body in bodies:
            api.create_enterprise(body)
    finally:
        api.close()
    return bodies


CSV_HEADER = ",".join(["企业名称", "统一社会信用代码", "行政区划代码", "行业", "地址", "法定代表人", "联系电话",
                       "经度", "纬度", "风险等级", "标准化等级"])


def csv_row(name: str, code: str, region: str = "370102", industry: str = "机械") -> str:
    """One line of an enterprise register in the import template's columns."""
    return f"{name},{code},{region},{industry},历下区经十路1号,王五,0531-1234567,117.05,36.66,黄,三级"


def csv_file(name: str, *rows: str) -> dict:
    """A CSV upload for Playwright's set_input_files: the header, then `rows`."""
    return {"name": name, "mimeType": "text/csv", "buffer": "\n".join([CSV_HEADER, *rows, ""]).encode("utf-8")}


def site_url(app, uscc_code: str, number: int = 1) -> str:
    """The signed URL printed in the QR code of the enterprise's site `number`."""
    keys = signing.parse_keys(app.config["QR_KEYS"])
    return signing.qr_url(app.config["PUBLIC_BASE_URL"], f"site:{uscc_code}:{number:02d}", keys,
                          app.config["QR_ACTIVE_KEY"])


def altered(url: str) -> str:
    """The same URL with the last character of its signature changed."""
    return url[:-1] + ("A" if url[-1] != "A" else "B")


# The records behind the statistics screens: generated for a fixed day, so the pictures change only when
# the code does (overdue counts move until the last generated deadline has passed).
RECORDS_DAY = date(2026, 11, 30)


def seed_records(app, inspections: int = 150) -> int:
    """Generated filed inspections, hazards and cases of the demo city (bench/console_data.py) in `records`,
    with their inspectors in `registry`; returns the year they mostly fall in."""
    from bench.console_data import batches, make_world
    from server.db import database, registry
    world = make_world(inspections, seed=SEED, today=RECORDS_DAY)
    with app.app_context():
        registry().bulk_docs(world.inspectors)
        for batch in batches(inspections, size=500, seed=SEED, world=world):
            database("records").bulk_docs(batch)
    return RECORDS_DAY.year


def sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on the console's /login form and wait for the page it leads to."""
    page.goto(base_url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
