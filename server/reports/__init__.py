"""Public reports (举报): the public form and receipt page, whistleblower protection, triage; verification,
outcome and rewards (verification*.py, outcome.py, rewards*.py)."""
from __future__ import annotations

import click
from flask import Flask

from server.accounts import guard


def init_app(app: Flask) -> None:
    from server.reports import public_views, triage_console
    app.register_blueprint(public_views.bp)
    app.register_blueprint(triage_console.bp)
    # The public form and the receipt look-up are used without an account or a session: the signed
    # proof-of-work challenge in the form is what ties a submission to a page this server rendered, and an
    # expired CSRF cookie must not lose a reporter's text.
    guard.CSRF_EXEMPT_ENDPOINTS.update({"reports_public.submit", "reports_public.status_page"})
    app.cli.add_command(reporter_key_command)


@click.command("reporter-key")
@click.argument("path")
def reporter_key_command(path):
    """Write a new reporters' identity key file (REPORTER_KEY_FILE) at PATH; refuses to overwrite one."""
    from server.reports.protect import create_key_file
    if not create_key_file(path):
        raise click.ClickException(f"{path} exists; add a line `r2:<key>` to it to rotate instead")
    click.echo(f"wrote {path}")
