"""Official calendar (法定节假日与调休): working days and deadlines counted in working or calendar days,
provisional days by rule for unannounced years, the notices an admin enters, and the recount."""
from __future__ import annotations


def init_app(app) -> None:
    """The stored notices as a source of official years, their console screen, the recount command."""
    from server.calendar import cli, console, notices
    notices.init_app(app)
    console.init_app(app)
    app.cli.add_command(cli.recount_command)
