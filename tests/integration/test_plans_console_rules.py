"""The plan console under plancore's rules, on a real CouchDB: reassignment asked by one supervisor and
approved or refused by another (task page, approval inbox, workbench count); the 一公开 forms refuse what
the API refuses, in words; two approvals of one plan at the same moment give one approval and a clear
refusal, never a 500."""

from server import audit
from server.db import database, registry
from tests.integration.helpers import race
from tests.integration.test_plans import world  # noqa: F401  (the two supervisors, enterprises, inspectors)
from tests.integration.test_plans_console import act, approved_inspection, create


def dispatched(app, world) -> tuple[str, list[dict]]:  # noqa: F811
    author, approver = world["author"], world["approver"]
    key = create(author)
    act(author, f"/console/plans/{key}/draw")
    act(approver, f"/console/plans/{key}/approve")
    act(approver, f"/console/plans/{key}/dispatch")
    with app.app_context():
        return key, sorted(registry().find({"type": "task", "plan": f"plan:{key}"}, limit=50), key=lambda t: t["_id"])


def plans_tile(session) -> str:
    page = session.get("/console/").get_data(as_text=True)
    return page.split('data-count="plans"')[1].split("</a>")[0]


def test_reassignment_is_decided_by_a_second_supervisor_from_the_inbox(app, world, login):  # noqa: F811
    author, approver = world["author"], world["approver"]
    key, tasks = dispatched(app, world)
    task = tasks[0]
    tkey = task["_id"][5:]
    page = author.get(f"/console/tasks/{tkey}").get_data(as_text=True)
    import re
    offered = re.findall(r'name="inspectors" value="(inspector:[0-9a-f]{12})"', page)
    new_team = [i for i in offered if i not in task["inspectors"]][:1] + task["inspectors"][:1]
    assert '<span class="n">0</span>' in plans_tile(approver)
    assert act(author, f"/console/tasks/{tkey}/reassign", reason="原检查组成员借调外地", inspectors=new_team).status_code == 302
    own = author.get(f"/console/tasks/{tkey}").get_data(as_text=True)
    assert "待确认的改派申请" in own and "须由另一位审核人确认" in own and "reassign/confirm" not in own
    inbox = approver.get("/console/plans/inbox").get_data(as_text=True)
    section = inbox.split("待我确认的改派申请")[1]
    assert task["enterprise_name"] in section and "原检查组成员借调外地" in section
    assert f'action="/console/tasks/{tkey}/reassign/confirm"' in section and f'action="/console/tasks/{tkey}/reassign/refuse"' in section
    assert task["enterprise_name"] not in author.get("/console/plans/inbox").get_data(as_text=True).split("待我确认的改派申请")[1]
    assert task["enterprise_name"] not in login("supervisor", "370200").get("/console/plans/inbox").get_data(as_text=True)
    assert '<span class="n">1</span>' in plans_tile(approver)
    short = act(approver, f"/console/tasks/{tkey}/reassign/refuse", reason="不")
    assert short.status_code == 422 and "Traceback" not in short.get_data(as_text=True)
    hostile = act(approver, f"/console/tasks/{tkey}/reassign/refuse", reason="<script>x</script>" * 200)
    assert hostile.status_code == 422 and "<script>x" not in hostile.get_data(as_text=True)
    assert act(approver, f"/console/tasks/{tkey}/reassign/refuse", reason="新成员本月已排满检查").status_code == 302
    with app.app_context():
        now = registry().get(task["_id"])
        actions = [e["action"] for e in audit.entries_for(database("audit"), task["_id"])]
    assert now["inspectors"] == task["inspectors"] and now["reassign_request"] is None
    assert {"task.reassign_request", "task.reassign_refused"} <= set(actions)
    assert task["enterprise_name"] not in approver.get("/console/plans/inbox").get_data(as_text=True).split("待我确认的改派申请")[1]
    nothing = act(approver, f"/console/tasks/{tkey}/reassign/confirm")       # no request pending any more
    assert nothing.status_code == 409 and 'role="alert"' in nothing.get_data(as_text=True)


def test_publish_forms_refuse_in_plain_words(app, world, login):  # noqa: F811
    author = world["author"]
    key, tasks = dispatched(app, world)
    first, second = tasks[0], tasks[1]
    pending = approved_inspection(app, first, review_status="pending")
    page = author.get(f"/console/plans/{key}/publication").get_data(as_text=True)
    assert pending not in page and "有 1 份检查记录待审核" in page
    url = f"/console/tasks/{first['_id'][5:]}/result"
    elsewhere = approved_inspection(app, second)
    cases = [({"inspection": pending, "confirmed": "yes"}, "尚未审核通过"),
             ({"inspection": pending}, "尚未审核通过"),                             # refused before confirming
             ({"inspection": elsewhere, "confirmed": "yes"}, "找不到该任务的这份检查记录"),
             ({"inspection": "inspection:" + "x" * 5000, "confirmed": "yes"}, "提交的内容有误"),
             ({"confirmed": "yes"}, "提交的内容有误"),
             ({"source": "not_inspected", "checked_on": "2026-10-05", "confirmed": "yes"}, "提交的内容有误"),
             ({"source": "not_inspected", "checked_on": "2099-01-01", "reason": "企业已停产", "confirmed": "yes"}, ""),
             ({"source": "not_inspected", "checked_on": "2026-10-05", "reason": "<b>x</b>" * 3000, "confirmed": "yes"}, "")]
    for data, words in cases:
        res = author.post(url, data=data)
        body = res.get_data(as_text=True)
        assert res.status_code == 422, (data, res.status_code)
        assert words in body and 'role="alert"' in body and "Traceback" not in body and "<b>x</b>" not in body, data
    assert login("supervisor", "370200").post(url, data={"inspection": elsewhere}).status_code == 404
    assert login("inspector", "370102").post(url, data={"inspection": elsewhere}).status_code == 403
    with app.app_context():
        assert registry().get(first["_id"])["status"] == "dispatched"
        assert database("public").get_or_none(f"result:{first['_id'][5:]}") is None


def test_two_approvals_at_the_same_moment(app, world, login):  # noqa: F811
    author = world["author"]
    twice = [world["approver"], login("supervisor", "370100", "approver")]       # two windows of the approver
    for through in ("api", "console"):
        key = create(author)
        act(author, f"/console/plans/{key}/draw")
        if through == "api":
            answers = race([lambda s=s: s.post(f"/api/v1/plans/{key}/approve") for s in twice])
        else:
            answers = race([lambda s=s: s.post(f"/console/plans/{key}/approve", data={"confirmed": "yes"})
                            for s in twice])
        codes = sorted(a.status_code for a in answers)
        assert 500 not in codes and codes[0] in (200, 302) and codes[1] == 409, (through, codes)
        refused = next(a for a in answers if a.status_code == 409)
        text = refused.get_data(as_text=True)
        assert ("conflict" in text if through == "api" else 'role="alert"' in text) and "Traceback" not in text
        with app.app_context():
            plan = registry().get(f"plan:{key}")
            tasks = registry().find({"type": "task", "plan": f"plan:{key}"}, limit=50)
            approvals = [e for e in audit.entries_for(database("audit"), f"plan:{key}") if e["action"] == "plan.approve"]
        assert plan["status"] == "approved" and len(tasks) == 4 and len(approvals) == 1, through


def test_an_approval_that_comes_second_computes_the_same_task_ids(app, world):  # noqa: F811
    """The race above, made deterministic: once one approval has written its tasks, a second computation for
    the same draw yields the same ids (CouchDB then keeps one of each), never a second set numbered on."""
    from server.plans import service
    key, tasks = dispatched(app, world)
    with app.app_context():
        plan = registry().get(f"plan:{key}")
        draw_doc = registry().get(plan["current_draw"])
        again = service.make_tasks(registry(), plan, draw_doc)
    assert sorted(t["_id"] for t in again) == [t["_id"] for t in tasks]
