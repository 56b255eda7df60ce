"""The demo city as `make run` loads it: registers through the real import, accounts, and a week of tasks
on the demo team's phones (and on nobody else's)."""
from server.accounts import store as accounts
from server.db import couch, registry
from server.demo.load import load_demo
from sync.phones import db_name


def test_the_demo_team_finds_its_tasks_on_its_phones(app):
    with app.app_context():
        result = load_demo(registry(), enterprises_n=150)
        again = load_demo(registry())
        users = {u: accounts.get_user(registry(), u) for u in ("insp01", "insp02", "insp03")}
        phones = {u: couch().db(app.config["DB_PREFIX"] + db_name(doc["inspector_id"])) for u, doc in users.items()}
        on = {u: [r["id"] for r in db.all_docs(startkey="task:", endkey="task:\ufff0")]
              if db.name in couch().all_dbs() else [] for u, db in phones.items()}
    assert again == {"skipped": "the register already has enterprises"}
    assert {a["username"] for a in result["accounts"]} >= {"admin", "jinan.sup", "insp01", "insp02"}
    assert result["tasks"]["tasks"] == 12 and len(on["insp01"]) == 12 and on["insp01"] == on["insp02"]
    assert on["insp03"] == []
