"""The workbench page (工作台), the console's home for supervisors and admins."""
from __future__ import annotations

from flask import Blueprint, Flask, g, render_template

from server.accounts import roles
from server.console.views import staff_only
from server.hazards.service import today
from server.health import calendar_status, worker_status
from server.workbench import counts

bp = Blueprint("workbench", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/console/")
def workbench():
    """What waits for me, each a count and a link to the list it comes from; admins also see the system."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    on = today()
    found = counts.all_counts(g.user, on)
    system = None
    if g.user["role"] == roles.ADMIN:
        system = {"worker": worker_status(), "calendar": calendar_status()}
    return render_template("workbench.html", counts=found, system=system, today=on,
                           quiet_days=counts.PHONE_QUIET_DAYS, soon_days=counts.DUE_SOON_DAYS)
