"""`flask --app server backup` and `restore`: every database to a directory (or another CouchDB) and back."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from server.db import couch
from sync.backup import BackupError, backup, replicate, restore


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("backup")
@with_appcontext
@click.argument("target", required=False)
@click.option("--to-couch", "to_couch", default=None, help="replicate to another CouchDB (URL with credentials)")
def backup_command(target, to_couch):
    """Back up every database of this system (DB_PREFIX) to TARGET, a directory; each run adds what changed."""
    prefix = current_app.config.get("DB_PREFIX", "")
    if bool(target) == bool(to_couch):
        raise click.UsageError("give a directory or --to-couch URL, one of them")
    if to_couch:
        result = replicate(couch(), current_app.config["COUCHDB_URL"], to_couch, prefix)
        click.echo(json.dumps(result, ensure_ascii=False))
        raise SystemExit(0 if all(r["ok"] for r in result.values()) else 1)
    try:
        written = backup(couch(), Path(target), prefix)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({"revisions_written": written}, ensure_ascii=False))


@click.command("restore")
@with_appcontext
@click.argument("source")
def restore_command(source):
    """Restore every database found in SOURCE (a backup directory) into this server; they must not exist yet
    or be empty. Run `verify-audit` afterwards."""
    prefix = current_app.config.get("DB_PREFIX", "")
    try:
        restored = restore(couch(), Path(source), prefix)
    except (BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({"revisions_restored": restored}, ensure_ascii=False))
