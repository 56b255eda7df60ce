"""Console pages of plans and the workbench on a real CouchDB: who may open and post what, the whole life
cycle through the forms (confirmation first), the downloads an auditor recomputes, and hostile input."""
import json
import re
import uuid

import pytest

from server.db import database, registry
from server.plans import pools as pool_store
from server.plans.draw import verify
from tests.integration.test_plans import world  # noqa: F401  (the two supervisors, enterprises, inspectors)

FORM = {"name": "2026年第四季度双随机抽查", "period_start": "2026-10-01", "period_end": "2026-12-31",
        "window_days": "10", "approver": "approver", "regions": "370100",
        "tier1_name": "高风险", "tier1_risk": ["red", "orange"], "tier1_kind": "proportion", "tier1_amount": "100",
        "tier1_rounding": "ceil", "tier2_name": "其他", "tier2_risk": ["yellow", "blue"], "tier2_kind": "proportion",
        "tier2_amount": "50", "tier2_rounding": "ceil", "team_inspectors": "2", "team_experts": "0",
        "require_qualification": "on", "avoid_repeat": "on"}


def create(session, **changes) -> str:
    res = session.post("/console/plans/new", data={**FORM, "action": "save", **changes})
    assert res.status_code == 302, res.get_data(as_text=True)[:2000]
    return res.headers["Location"].split("/console/plans/")[1].split("?")[0]


def act(session, path: str, **data):
    """Post a form, see the confirmation page, then confirm."""
    first = session.post(path, data=data)
    assert first.status_code == 200 and 'name="confirmed"' in first.get_data(as_text=True), path
    return session.post(path, data={**data, "confirmed": "yes"})


def test_preview_shows_tier_sizes_and_saves_nothing(app, world):  # noqa: F811
    author = world["author"]
    res = author.post("/console/plans/new", data={**FORM, "action": "preview"})
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "抽取预览" in page and "符合条件的企业" in page
    with app.app_context():
        assert registry().find({"type": "plan", "status": {"$gt": None}}, limit=5) == []
    assert ">approver（approver" in page            # the eligible colleague is offered; the author is not
    assert ">author（author" not in page


def test_bad_input_is_refused_with_plain_words(world):  # noqa: F811
    author = world["author"]
    cases = [{"name": ""}, {"period_end": "2026-01-01"}, {"tier1_amount": "abc"}, {"tier1_amount": "1e309"},
             {"regions": "99999x"}, {"team_inspectors": "1"}, {"approver": "author"},
             {"name": "计" * 50_000}, {"targeted_uscc": "X" * 30_000}, {"tier1_risk": ["purple"]}]
    for change in cases:
        res = author.post("/console/plans/new", data={**FORM, "action": "save", **change})
        page = res.get_data(as_text=True)
        assert res.status_code == 422, change
        assert "提交的内容有误" in page and "Traceback" not in page, change
    assert "第 1 档" in author.post("/console/plans/new", data={**FORM, "action": "save",
                                                                "tier1_amount": "abc"}).get_data(as_text=True)


def test_lifecycle_through_the_console(app, world):  # noqa: F811
    author, approver = world["author"], world["approver"]
    key = create(author)
    assert author.post(f"/console/plans/{key}/draw", data={}).status_code == 200   # only the question
    with app.app_context():
        assert registry().get(f"plan:{key}")["status"] == "draft"
    assert act(author, f"/console/plans/{key}/draw").status_code == 302
    page = author.get(f"/console/plans/{key}").get_data(as_text=True)
    assert "第 1 次抽取" in page and "与该企业存在回避关系（亲属）" in page
    inbox = approver.get("/console/plans/inbox").get_data(as_text=True)
    assert "2026年第四季度双随机抽查" in inbox and f'action="/console/plans/{key}/approve"' in inbox
    assert f'action="/console/plans/{key}/redraw-request"' in inbox
    assert "核验一致" in approver.get(f"/console/plans/{key}").get_data(as_text=True)
    refused = act(author, f"/console/plans/{key}/approve")                       # not by the one who drew
    assert refused.status_code == 403 and "只有计划指定的审批人" in refused.get_data(as_text=True)
    assert act(approver, f"/console/plans/{key}/approve").status_code == 302
    assert act(approver, f"/console/plans/{key}/dispatch").status_code == 302
    with app.app_context():
        tasks = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=50)
    assert tasks and all(t["status"] == "dispatched" for t in tasks)
    task = sorted(tasks, key=lambda t: t["_id"])[0]
    res = act(author, f"/console/tasks/{task['_id'][5:]}/cancel", reason="企业已停产")
    assert res.status_code == 302
    pub = author.get(f"/console/plans/{key}/publication").get_data(as_text=True)
    assert "已取消" not in pub or "结果公示" in pub
    other, absent = sorted(tasks, key=lambda t: t["_id"])[1:3]
    ident = approved_inspection(app, other)         # filed by the team and approved on review
    pub = author.get(f"/console/plans/{key}/publication").get_data(as_text=True)
    assert f'value="{ident}"' in pub and "检查 7 项，一般隐患 2 项，重大隐患 0 项" in pub
    asked = author.post(f"/console/tasks/{other['_id'][5:]}/result", data={"inspection": ident})
    shown = asked.get_data(as_text=True)           # the confirmation shows the figures it will publish
    assert asked.status_code == 200 and 'name="confirmed"' in shown and "2026-10-05" in shown
    assert '<dd data-figure="items_checked">7</dd>' in shown and '<dd data-figure="hazards_general">2</dd>' in shown
    res = author.post(f"/console/tasks/{other['_id'][5:]}/result", data={"inspection": ident, "confirmed": "yes"})
    assert res.status_code == 302
    res = act(author, f"/console/tasks/{absent['_id'][5:]}/result", source="not_inspected", checked_on="2026-10-06",
              reason="企业已停产，现场无人")
    assert res.status_code == 302
    pub = author.get(f"/console/plans/{key}/publication").get_data(as_text=True)
    assert pub.count("已公示") >= 2 and "未实施检查" in pub
    with app.app_context():
        done = registry().get(other["_id"])
        public = database("public").get(f"result:{other['_id'][5:]}")
        skipped = database("public").get(f"result:{absent['_id'][5:]}")
    assert done["status"] == "published" and done["result"]["inspection"] == ident
    assert (public["items_checked"], public["hazards"], public["outcome"]) == (7, {"general": 2, "major": 0}, "problems_found")
    assert skipped["outcome"] == "not_inspected" and skipped["reason"] == "企业已停产，现场无人"


def approved_inspection(app, task: dict, review_status: str = "approved") -> str:
    """What the worker files for a finished inspection (the fields the result is read from), approved."""
    ident = f"inspection:{uuid.uuid4()}"
    with app.app_context():
        database("records").put({"_id": ident, "type": "inspection", "task": task["_id"], "plan": task["plan"],
                                 "status": "finished", "review_status": review_status, "region": task["region"],
                                 "started_at": "2026-10-05T01:30:00Z", "hazards": {"general": 2, "major": 0},
                                 "answers": [{"item": f"i{n}", "value": "pass"} for n in range(7)]})
    return ident


def test_downloads_let_an_auditor_recompute_the_draw(app, world):  # noqa: F811
    author = world["author"]
    key = create(author)
    act(author, f"/console/plans/{key}/draw")
    pools = author.get(f"/console/plans/{key}/draws/1/pools.json")
    trail = author.get(f"/console/plans/{key}/draws/1/trail.json")
    assert pools.status_code == trail.status_code == 200
    assert "attachment" in pools.headers["Content-Disposition"]
    body = trail.get_json() if trail.is_json else json.loads(trail.get_data())
    identical, _ = verify(body["draw"]["record"], json.loads(pools.get_data()), body["plan"]["rules"])
    assert identical and any(e["action"] == "plan.draw" for e in body["audit"])
    with app.app_context():   # the bytes are the stored snapshot
        raw = registry().get_attachment(f"draw:{key}:001", pool_store.POOL_ATTACHMENT)
        assert pool_store.unpack(raw) == json.loads(pools.get_data())
    assert author.get(f"/console/plans/{key}/draws/2/pools.json").status_code == 404


PAGES = ["/console/", "/console/plans", "/console/plans/inbox", "/console/plans/new", "/console/publications"]


def plan_pages(key):
    return [f"/console/plans/{key}", f"/console/plans/{key}/publication", f"/console/plans/{key}/draws/1/pools.json",
            f"/console/plans/{key}/draws/1/trail.json"]


@pytest.mark.parametrize("who", ["anonymous", "inspector", "other_region", "same_region_stranger", "admin"])
def test_who_may_open_and_post(app, client, login, world, who):  # noqa: F811
    key = create(world["author"])
    act(world["author"], f"/console/plans/{key}/draw")
    session = {"anonymous": None, "inspector": login("inspector", "370102"), "admin": login("admin", "110000"),
               "other_region": login("supervisor", "370200"), "same_region_stranger": login("supervisor", "370100")}[who]
    for path in PAGES + plan_pages(key):
        res = (session or client).get(path)
        if who == "anonymous":
            assert res.status_code == 302 and "/login" in res.headers["Location"], path
        elif who == "inspector":
            assert res.status_code == 403, path
        elif who == "admin" or path in PAGES:
            assert res.status_code == 200, (who, path)
        else:                                   # secrecy: a plan not theirs answers like an unknown one
            assert res.status_code == 404, (who, path)
    for path in (f"/console/plans/{key}/approve", f"/console/plans/{key}/redraw", f"/console/plans/{key}/dispatch"):
        res = (session or client).post(path, data={"confirmed": "yes"})
        allowed = {"anonymous": (302, 403), "inspector": (403,), "admin": (200, 302, 403, 409)}.get(who, (404,))
        assert res.status_code in allowed, (who, path, res.status_code)
    res = (session or client).post("/console/plans/new", data={**FORM, "action": "save", "name": f"越权计划{who}"})
    allowed = {"anonymous": (302, 403), "inspector": (403,), "admin": (302, 422)}.get(who, (302, 422))
    assert res.status_code in allowed, (who, res.status_code)
    with app.app_context():
        assert registry().get(f"plan:{key}")["status"] == "drawn"
        made = registry().find({"type": "plan", "name": f"越权计划{who}"}, limit=5)
    assert not made or who in ("admin", "same_region_stranger")  # only staff whose region covers 370100


def test_workbench_counts_are_mine_and_link(app, world, login):  # noqa: F811
    key = create(world["author"])
    act(world["author"], f"/console/plans/{key}/draw")
    page = world["approver"].get("/console/").get_data(as_text=True)
    assert 'data-count="plans"' in page
    tile = page.split('data-count="plans"')[1].split("</a>")[0]
    assert '<span class="n">1</span>' in tile
    other = login("supervisor", "370200").get("/console/").get_data(as_text=True)
    assert '<span class="n">1</span>' not in other.split('data-count="plans"')[1].split("</a>")[0]
    admin = login("admin", "110000").get("/console/").get_data(as_text=True)
    assert "系统状态" in admin and "系统状态</h2>" not in world["author"].get("/console/").get_data(as_text=True)
    assert world["author"].get("/").headers["Location"].endswith("/console/")


def test_csrf_is_required_on_console_forms(app, world):  # noqa: F811
    key = create(world["author"])
    bare = world["author"].client.post(f"/console/plans/{key}/draw", data={"confirmed": "yes"})
    assert bare.status_code in (400, 403)
    with app.app_context():
        assert registry().get(f"plan:{key}")["status"] == "draft"


def test_redraw_by_request_and_a_second_supervisor(app, world):  # noqa: F811
    author, approver = world["author"], world["approver"]
    key = create(author)
    act(author, f"/console/plans/{key}/draw")
    short = act(approver, f"/console/plans/{key}/redraw-request", reason="太短")
    assert short.status_code == 422 and "理由" in short.get_data(as_text=True)
    long_reason = act(approver, f"/console/plans/{key}/redraw-request", reason="很" * 5000)
    assert long_reason.status_code == 422
    assert act(approver, f"/console/plans/{key}/redraw-request", reason="名录中两家企业已注销，须更新后重抽").status_code == 302
    assert act(approver, f"/console/plans/{key}/redraw").status_code == 403          # not the one who asked
    inbox = author.get("/console/plans/inbox").get_data(as_text=True)
    assert "待我确认的重新抽取申请" in inbox and f"/console/plans/{key}" in inbox.split("待我确认的重新抽取申请")[1]
    assert act(author, f"/console/plans/{key}/redraw").status_code == 302
    page = author.get(f"/console/plans/{key}").get_data(as_text=True)
    assert "第 2 次抽取" in page and "以往的抽取（已作废）" in page and "名录中两家企业已注销" in page


def test_tasks_change_only_for_those_who_may(app, world, login):  # noqa: F811
    author, approver = world["author"], world["approver"]
    key = create(author)
    act(author, f"/console/plans/{key}/draw")
    act(approver, f"/console/plans/{key}/approve")
    act(approver, f"/console/plans/{key}/dispatch")
    with app.app_context():
        task = sorted(registry().find({"type": "task", "plan": f"plan:{key}"}, limit=50), key=lambda t: t["_id"])[0]
    tkey = task["_id"][5:]
    posts = {f"/console/tasks/{tkey}/cancel": {"reason": "企业已停产"},
             f"/console/tasks/{tkey}/reassign": {"reason": "人员调整", "inspectors": [p["id"] for p in world["people"][1:3]]},
             f"/console/tasks/{tkey}/result": {"source": "not_inspected", "checked_on": "2026-10-05", "reason": "企业已停产"}}
    outsider, field = login("supervisor", "370200"), login("inspector", "370102")
    assert outsider.get(f"/console/tasks/{tkey}").status_code == 404
    assert field.get(f"/console/tasks/{tkey}").status_code == 403
    assert author.get(f"/console/tasks/{'x' * 60}").status_code == 404
    page = author.get(f"/console/tasks/{tkey}").get_data(as_text=True)
    offered = re.findall(r'name="inspectors" value="(inspector:[0-9a-f]{12})"', page)
    assert len(offered) >= 2
    if task["enterprise"] == world["firms"][0]["uscc"]:          # inspector 0 declared a conflict with it
        assert world["people"][0]["id"] not in offered
    for path, data in posts.items():
        assert outsider.post(path, data={**data, "confirmed": "yes"}).status_code == 404, path
        assert field.post(path, data={**data, "confirmed": "yes"}).status_code == 403, path
    assert author.post(f"/console/tasks/{'x' * 60}/cancel", data={"reason": "企业已停产", "confirmed": "yes"}).status_code == 404
    bad = act(author, f"/console/tasks/{tkey}/cancel", reason="短")
    assert bad.status_code == 422 and "Traceback" not in bad.get_data(as_text=True)
    bogus = act(author, f"/console/tasks/{tkey}/reassign", reason="人员调整", inspectors=["inspector:zzz", "<script>"])
    assert bogus.status_code == 422 and "<script>" not in bogus.get_data(as_text=True)
    future = author.post(f"/console/tasks/{tkey}/result", data={"source": "not_inspected", "checked_on": "not-a-date",
                                                                "reason": "x"})
    assert future.status_code == 422 and "Traceback" not in future.get_data(as_text=True)
    with app.app_context():
        assert registry().get(task["_id"])["status"] == "dispatched"
    new_team = [i for i in offered if i not in task["inspectors"]][:1] + task["inspectors"][:1]
    res = act(author, f"/console/tasks/{tkey}/reassign", reason="原检查组成员借调外地", inspectors=new_team)
    assert res.status_code == 302                  # a request only: the team changes once a second person agrees
    with app.app_context():
        assert registry().get(task["_id"])["inspectors"] == task["inspectors"]
    own = act(author, f"/console/tasks/{tkey}/reassign/confirm")
    assert own.status_code == 403 and 'role="alert"' in own.get_data(as_text=True)
    assert outsider.post(f"/console/tasks/{tkey}/reassign/confirm", data={"confirmed": "yes"}).status_code == 404
    assert field.post(f"/console/tasks/{tkey}/reassign/confirm", data={"confirmed": "yes"}).status_code == 403
    assert act(approver, f"/console/tasks/{tkey}/reassign/confirm").status_code == 302
    with app.app_context():
        assert sorted(registry().get(task["_id"])["inspectors"]) == sorted(new_team)


def test_pages_stand_when_a_deadline_cannot_be_counted(app, world):  # noqa: F811
    """Windows ending in late December count their deadline into next year, which the holiday calendar may not
    know yet: the pages say so instead of failing."""
    author, approver = world["author"], world["approver"]
    key = create(author, period_start="2026-12-20", period_end="2026-12-31", window_days="12", publish_days="60")
    act(author, f"/console/plans/{key}/draw")
    act(approver, f"/console/plans/{key}/approve")
    act(approver, f"/console/plans/{key}/dispatch")
    for path in ("/console/plans", "/console/publications", f"/console/plans/{key}/publication", "/console/"):
        res = author.get(path)
        assert res.status_code == 200, path
        assert "calendar.unknown_year" not in res.get_data(as_text=True)
    page = author.get(f"/console/plans/{key}/publication").get_data(as_text=True)
    assert "暂无法计算" in page or re.search(r"<td>2027-\d\d-\d\d", page)

