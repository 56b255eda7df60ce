"""Console pages of rewards (举报奖励): the list of rewards waiting for approval or payment, and the reward
forms of the verification page (propose, approve or refuse by a second person, record the payment)."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template
from marshmallow import fields, validate

from schemas.common import StrictSchema, Text
from server.console.views import staff_only
from server.reports import rewards
from server.reports.verification_console import act

bp = Blueprint("report_rewards", __name__)
ACTIONS = ("propose", "approve", "refuse", "pay")
LIST_LIMIT = 200


class ProposeForm(StrictSchema):
    grade = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]{1,30}$"))
    amount = fields.Integer(required=True, strict=False, validate=validate.Range(min=0, max=rewards.MAX_AMOUNT))
    basis = Text(max_length=500, min_length=4, required=True)


class RefuseForm(StrictSchema):
    reason = Text(max_length=500, min_length=4, required=True)


class PayForm(StrictSchema):
    paid_on = fields.Date(required=True)
    method = fields.String(required=True, validate=validate.OneOf(rewards.METHODS))
    reference = Text(max_length=100, min_length=1, required=True)


def _fields(form, names) -> dict:
    return {k: form.get(k, "") for k in names}


def _propose(report, form):
    data = ProposeForm().load({k: v for k, v in _fields(form, ("grade", "amount", "basis")).items()})
    rewards.propose(report, g.user, data["grade"], data["amount"], data["basis"])


def _approve(report, form):
    rewards.approve(report, g.user)


def _refuse(report, form):
    rewards.refuse(report, g.user, RefuseForm().load(_fields(form, ("reason",)))["reason"])


def _pay(report, form):
    data = PayForm().load(_fields(form, ("paid_on", "method", "reference")))
    rewards.pay(report, g.user, data["paid_on"], data["method"], data["reference"])


RUN = {"propose": _propose, "approve": _approve, "refuse": _refuse, "pay": _pay}


@bp.post("/console/reports/<key>/reward/<action>")
def reward_action(key, action):
    """One step of a reward; the proposer may not approve or refuse their own proposal."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    if action not in ACTIONS:
        abort(404)
    return act(key, f"reward_{action}", RUN[action])


@bp.get("/console/reports/rewards")
def rewards_page():
    """Rewards in my region: proposals waiting for a second person, approved ones not yet paid."""
    if (redirect_to := staff_only()) is not None:
        return redirect_to
    return render_template("reports/reward_list.html", to_approve=rewards.to_approve(g.user, LIST_LIMIT),
                           mine=rewards.waiting(g.user, "proposed", LIST_LIMIT,
                                                **{"reward.proposed_by": g.user["username"]}),
                           to_pay=rewards.waiting(g.user, "approved", LIST_LIMIT))
