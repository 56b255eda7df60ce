"""Schema of a plan's draw rules (双随机抽取规则): scope, sampling tiers, targeted list, annual caps, team."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate, validates_schema

from i18n import t
from schemas import sectors
from schemas.common import StrictSchema, Text
from schemas.regions import scope_prefix

RISKS = ("red", "orange", "yellow", "blue")
STD_LEVELS = ("1", "2", "3", "none")
CREDITS = ("A", "B", "C", "D", "")
ROUNDINGS = ("ceil", "floor", "half_up")
TARGET_FLAGS = ("accident", "complaint", "penalty")
TARGETED = "targeted"  # the tier name targeted tasks carry; no sampling tier may use it
USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
REGION_SHAPE = re.compile(r"^(?!00)\d{6}$")

# 2025 caps (DOMAIN.md): hazardous chemicals 2/4/8/12 by standardisation level 1/2/3/unrated, others 1/2/4/6.
# A default only: every plan may carry its own table.
DEFAULT_CAPS = {
    "default": {"1": 1, "2": 2, "3": 4, "none": 6},
    "sectors": {"hazardous_chemicals": {"1": 2, "2": 4, "3": 8, "none": 12}},
}


def region_prefix(code: str) -> str:
    """The prefix a region code covers: 370000 → 37, 370100 → 3701, 370102 → 370102."""
    return scope_prefix(code)


def _check_region(value: str) -> None:
    if not isinstance(value, str) or not REGION_SHAPE.match(value):
        raise ValidationError(t("draw.rules.region", value=str(value)[:20]))


def _check_sector(value: str) -> None:
    if value not in sectors.codes():
        raise ValidationError(t("draw.rules.sector", value=str(value)[:40]))


def _check_uscc(value: str) -> None:
    if not USCC_SHAPE.match(value):
        raise ValidationError(t("draw.rules.uscc", value=value[:20]))


def _check_cap_row(row: dict) -> None:
    if set(row) != set(STD_LEVELS):
        raise ValidationError(t("draw.rules.cap_row"))


def _unique(items: list) -> None:
    if len(set(items)) != len(items):
        raise ValidationError(t("draw.rules.duplicates"))


def _choices(values: tuple, max_items: int = 10) -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(values)), load_default=list,
                       validate=[validate.Length(max=max_items), _unique])


class ScopeSchema(StrictSchema):
    """Regions (a code covers everything under it) and sectors; no sectors means every sector."""
    regions = fields.List(fields.String(validate=_check_region), required=True,
                          validate=[validate.Length(min=1, max=200), _unique])
    sectors = fields.List(fields.String(validate=_check_sector), load_default=list,
                          validate=[validate.Length(max=100), _unique])


class TierSchema(StrictSchema):
    """One sampling tier: who belongs (all given selectors must match) and how many are drawn."""
    name = Text(max_length=40, min_length=1, required=True)
    risk = _choices(RISKS)
    std_level = _choices(STD_LEVELS)
    credit = _choices(CREDITS)
    proportion = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                              validate=validate.Range(min=0, max=1))
    count = fields.Integer(load_default=None, allow_none=True, strict=True,
                           validate=validate.Range(min=0, max=10_000_000))
    rounding = fields.String(load_default="ceil", validate=validate.OneOf(ROUNDINGS))

    @validates_schema
    def _one_amount(self, data, **kwargs):
        if (data.get("proportion") is None) == (data.get("count") is None):
            raise ValidationError(t("draw.rules.amount"), "proportion")
        if data.get("name") == TARGETED:
            raise ValidationError(t("draw.rules.reserved_name", name=TARGETED), "name")


class TargetedSchema(StrictSchema):
    """Targeted checks (重点检查) drawn alongside: named enterprises and/or every one with a flag."""
    uscc = fields.List(fields.String(validate=_check_uscc), load_default=list,
                       validate=[validate.Length(max=10_000), _unique])
    flags = _choices(TARGET_FLAGS)
    # Leave out named or flagged enterprises already at their cap (the draw); without it they are drawn
    # anyway. Whether a targeted check counts against the cap follows its cause (server/plans/causes.py).
    apply_caps = fields.Boolean(load_default=False)
    # Why the named enterprises are checked: complaint, referral and re-inspection do not count toward
    # the annual cap; accident, penalty and other do.
    cause = fields.String(load_default="other", validate=validate.OneOf(
        ("complaint", "referral", "reinspection", "accident", "penalty", "other")))


class CapsSchema(StrictSchema):
    """Annual caps by standardisation level: one row per sector code, `default` for the others."""
    default = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True, validate=validate.Range(0, 366)),
                          required=True, validate=_check_cap_row)
    sectors = fields.Dict(keys=fields.String(validate=_check_sector),
                          values=fields.Dict(keys=fields.String(),
                                             values=fields.Integer(strict=True, validate=validate.Range(0, 366)),
                                             validate=_check_cap_row),
                          load_default=dict)


class TeamSchema(StrictSchema):
    """Team make-up: at least two certified inspectors (行政处罚法 art. 42); experts come on top."""
    inspectors = fields.Integer(load_default=2, strict=True, validate=validate.Range(min=2, max=10))
    experts = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=5))
    require_qualification = fields.Boolean(load_default=True)
    cross_region = fields.Boolean(load_default=False)
    avoid_repeat = fields.Boolean(load_default=True)


class PlanRulesSchema(StrictSchema):
    scope = fields.Nested(ScopeSchema, required=True)
    tiers = fields.List(fields.Nested(TierSchema), load_default=list, validate=validate.Length(max=20))
    targeted = fields.Nested(TargetedSchema, load_default=lambda: TargetedSchema().load({}))
    caps = fields.Nested(CapsSchema, load_default=lambda: CapsSchema().load(DEFAULT_CAPS))
    team = fields.Nested(TeamSchema, load_default=lambda: TeamSchema().load({}))

    @validates_schema
    def _draws_something(self, data, **kwargs):
        names = [tier["name"] for tier in data.get("tiers", [])]
        if len(set(names)) != len(names):
            raise ValidationError(t("draw.rules.tier_names"), "tiers")
        targeted = data.get("targeted") or {}
        if not names and not targeted.get("uscc") and not targeted.get("flags"):
            raise ValidationError(t("draw.rules.empty"), "tiers")
