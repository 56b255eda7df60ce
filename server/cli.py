"""Command-line entry points (`flask --app server <command>`): thin wrappers over library functions."""
from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from server.db import couch, registry


def init_app(app: Flask) -> None:
    for command in (bootstrap_command, create_user_command, load_demo_command, verify_draw_command,
                    verify_audit_command, audit_checkpoint_command, escalate_command):
        app.cli.add_command(command)
    from server import backup_cli
    backup_cli.init_app(app)


def bootstrap_all(say=None) -> dict:
    """Databases, indexes, security objects and the built-in checklist templates; safe to repeat."""
    from server.registry.checklists import ensure_builtin_templates
    from sync.bootstrap import bootstrap
    created = bootstrap(couch(), current_app.config.get("DB_PREFIX", ""),
                        q_large=current_app.config.get("COUCH_Q_LARGE") or None, **({"say": say} if say else {}))
    created["checklists"] = ensure_builtin_templates(registry())
    from server.registry.recovery import recover_imports
    created["recovered_imports"] = recover_imports(registry(), current_app.config["IMPORT_STALE_S"])
    return created


@click.command("bootstrap")
@with_appcontext
def bootstrap_command():
    """Create databases, indexes, security objects and built-in templates (safe to run again)."""
    click.echo(json.dumps(bootstrap_all(say=lambda line: click.echo(line, err=True)), ensure_ascii=False))


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "supervisor", "inspector", "expert", "auditor"]), required=True)
@click.option("--region", required=True, help="行政区划代码, e.g. 370100")
@click.option("--name", "display_name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(username, role, region, display_name, password):
    """Create a user account."""
    from marshmallow import ValidationError

    from schemas.accounts import UserCreateSchema
    from server.accounts import store
    try:
        data = UserCreateSchema().load({"username": username, "role": role, "region": region,
                                        "display_name": display_name, "password": password})
        store.create_user(registry(), data)
    except ValidationError as exc:
        raise click.ClickException(json.dumps(exc.messages, ensure_ascii=False)) from exc
    click.echo(f"created {username} ({role}, {region})")


@click.command("load-demo")
@with_appcontext
@click.option("--force", is_flag=True, help="load even if enterprises already exist")
def load_demo_command(force):
    """Load the demo city (济南市): enterprises, sites, inspectors, experts and demo accounts."""
    from server.demo.load import load_demo
    click.echo(json.dumps(load_demo(registry(), force=force), ensure_ascii=False))


@click.command("verify-draw")
@with_appcontext
@click.argument("plan_key")
@click.option("--number", type=int, default=0, help="which draw (default: every draw of the plan)")
def verify_draw_command(plan_key, number):
    """Recompute a plan's draw(s) from the stored record and pools; exit 1 if any differs."""
    from server.plans.service import verify_draw
    plan = registry().get_or_none(f"plan:{plan_key}")
    if not plan or plan.get("type") != "plan":
        raise click.ClickException(f"no plan {plan_key}")
    chosen = plan["draws"] if not number else plan["draws"][number - 1:number]
    ok = True
    for draw_id in chosen:
        outcome = verify_draw(registry(), registry().get(draw_id), plan)
        ok = ok and outcome["identical"]
        click.echo(f"{draw_id}: {'identical' if outcome['identical'] else 'DIFFERENT ' + str(outcome['mismatches'])}")
    raise SystemExit(0 if ok else 1)


@click.command("verify-audit")
@with_appcontext
def verify_audit_command():
    """Walk the audit log's hash chain; exit 1 if it is broken."""
    from server import audit
    from server.db import database
    result = audit.verify_chain(database("audit"))
    result["lanes"] = len(result.get("lanes") or {})     # how many writers' chains; each one's head is in the checkpoints
    click.echo(json.dumps(result, ensure_ascii=False))
    raise SystemExit(0 if result["ok"] else 1)


@click.command("audit-checkpoint")
@with_appcontext
@click.option("--export", "export_to", type=click.Path(dir_okay=False, writable=True), default=None,
              help="also write every checkpoint of the log to this JSON file (to keep or publish elsewhere)")
def audit_checkpoint_command(export_to):
    """Verify the audit log, then sign every writer's count and head (AUDIT_CHECKPOINT_DIR); optionally export all."""
    from server import audit, audit_keys
    from server.db import database
    db = database("audit")
    try:
        click.echo(json.dumps(audit.checkpoint(db), ensure_ascii=False))
    except ValueError as exc:
        click.echo(json.dumps({"ok": False, "reason": f"not signed: the log does not verify ({exc})"},
                              ensure_ascii=False))
        raise SystemExit(1)
    if export_to:
        with open(export_to, "w", encoding="utf-8") as out:
            json.dump(audit_keys.load_checkpoints(db.name), out, ensure_ascii=False, indent=1)


@click.command("escalate-overdue")
@with_appcontext
@click.option("--today", "on_day", default=None, help="the day to count from (YYYY-MM-DD; default: today in Asia/Shanghai)")
def escalate_command(on_day):
    """Escalate hazards past their rectification deadline to the supervisor one level up."""
    from datetime import date

    from server.db import database
    from server.hazards.escalation import escalate_overdue
    from server.hazards.service import today
    day = date.fromisoformat(on_day) if on_day else today()
    done = escalate_overdue(database("records"), database("audit"), day)
    click.echo(json.dumps({"escalated": done}, ensure_ascii=False))
