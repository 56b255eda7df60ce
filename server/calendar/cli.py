"""`flask --app server recount-deadlines`: recount every provisional deadline whose year is now known."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


@click.command("recount-deadlines")
@with_appcontext
@click.option("--page", default=100, type=click.IntRange(1, 1000), help="cases per page (each page audited)")
def recount_command(page):
    """Recount provisional (暂定) deadlines after a holiday notice was entered; safe to run again."""
    from server.calendar.recount import recount
    from server.db import database
    click.echo(json.dumps(recount(database("records"), database("audit"), "cli:recount-deadlines", limit=page),
                          ensure_ascii=False))
