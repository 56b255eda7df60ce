"""Schemas of the registers: enterprises (检查对象), their sites, inspectors and experts (执法检查人员)."""
from __future__ import annotations

import re
from datetime import date

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from i18n import Problem, t
from schemas import sectors
from schemas.common import StrictSchema, Text, problem_validator
from schemas.identifiers import check_coordinates, check_uscc
from schemas.regions import validate_region

RISK_LABELS = {"red": "red", "orange": "orange", "yellow": "yellow", "blue": "blue",
               "红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue",
               "红色": "red", "橙色": "orange", "黄色": "yellow", "蓝色": "blue",
               "重大风险": "red", "较大风险": "orange", "一般风险": "yellow", "低风险": "blue",
               "重大": "red", "较大": "orange", "一般": "yellow", "低": "blue"}
STD_LABELS = {"1": "1", "2": "2", "3": "3", "none": "none", "一级": "1", "二级": "2", "三级": "3",
              "未定级": "none", "无": "none", "level 1": "1", "level 2": "2", "level 3": "3", "unrated": "none"}
CREDIT_LABELS = {"a": "A", "b": "B", "c": "C", "d": "D", "": ""}
KIND_LABELS = {"inspector": "inspector", "expert": "expert", "执法人员": "inspector", "专家": "expert"}
LIST_SPLIT = re.compile(r"[、;；,，\s]+")


class Label(fields.String):
    """A value given as a code or as the label a bureau's spreadsheet uses (红, 一级, 专家 …)."""

    def __init__(self, labels: dict[str, str], message_key: str, **kwargs):
        super().__init__(**kwargs)
        self.labels, self.message_key = labels, message_key

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        code = self.labels.get(text, self.labels.get(text.lower()))
        if code is None:
            raise ValidationError(t(self.message_key, value=text[:40]))
        return code


class Sector(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        code = sectors.to_code(text)
        if code is None:
            raise ValidationError(t("registry.unknown_sector", value=text[:40]))
        return code


class SectorList(fields.Field):
    """Sectors as a list of codes/names, or one string separated by 、 ; or commas."""

    def _deserialize(self, value, attr, data, **kwargs):
        items = LIST_SPLIT.split(value.strip()) if isinstance(value, str) else value
        if not isinstance(items, list) or len(items) > 30:
            raise ValidationError(t("mm.type"))
        out = []
        for item in items:
            if item in ("", None):
                continue
            out.append(Sector().deserialize(item))
        if not out:
            raise ValidationError(t("registry.no_sectors"))
        return sorted(set(out))

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class Uscc(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return problem_validator_value(check_uscc, super()._deserialize(value, attr, data, **kwargs))


def problem_validator_value(check, value):
    """Run a pure check that returns the normalised value, reporting its Problem in the user's language."""
    try:
        return check(value)
    except Problem as exc:
        raise ValidationError(exc.message()) from exc


class Coordinates:
    """Mixin: lng/lat pair checked together (range, and a hint when they look swapped)."""

    @validates_schema
    def _coords(self, data, **kwargs):
        lng, lat = data.get("lng"), data.get("lat")
        if lng is None and lat is None:
            return
        if lng is None or lat is None:
            raise ValidationError(t("coords.both_required"), "lng")
        try:
            check_coordinates(lng, lat)
        except Problem as exc:
            raise ValidationError(exc.message(), "lng") from exc


class EnterpriseSchema(StrictSchema):
    uscc = Uscc(required=True)
    name = Text(max_length=100, min_length=2, required=True)
    region = fields.String(required=True, validate=problem_validator(validate_region))
    industry = Sector(required=True)
    address = Text(max_length=200, min_length=2, required=True)
    legal_rep = Text(max_length=50, load_default="")
    phone = Text(max_length=30, load_default="", validate=validate.Regexp(r"^[0-9+\-() ]*$"))
    risk = Label(RISK_LABELS, "registry.bad_risk", load_default="yellow")
    std_level = Label(STD_LABELS, "registry.bad_std_level", load_default="none")
    credit = Label(CREDIT_LABELS, "registry.bad_credit", load_default="")
    flags = fields.List(fields.String(validate=validate.OneOf(("accident", "complaint", "penalty"))),
                        load_default=list, validate=validate.Length(max=10))


class SiteSchema(Coordinates, StrictSchema):
    name = Text(max_length=100, min_length=1, required=True)
    address = Text(max_length=200, min_length=2, required=True)
    lng = fields.Float(allow_none=True, load_default=None, allow_nan=False)
    lat = fields.Float(allow_none=True, load_default=None, allow_nan=False)
    radius_m = fields.Integer(load_default=300, validate=validate.Range(min=20, max=5000))


def _iso_date(value: str) -> None:
    try:
        ok = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and date.fromisoformat(value).year >= 1990
    except ValueError:
        ok = False
    if not ok:
        raise ValidationError(t("registry.bad_cert_date"))


class LeaveSchema(StrictSchema):
    """A leave period (请假/培训/借调): no task while it lasts; both days inclusive."""
    start = fields.String(required=True, validate=_iso_date)
    end = fields.String(required=True, validate=_iso_date)
    reason = Text(max_length=100, load_default="")

    @validates_schema
    def _ordered(self, data, **kwargs):
        # A PATCH loads partially, nested entries too: each leave entry still needs both of its days.
        for name in ("start", "end"):
            if name not in data:
                raise ValidationError(t("registry.leave_days"), name)
        if data["end"] < data["start"]:
            raise ValidationError(t("registry.leave_order"), "end")


class AvoidanceSchema(StrictSchema):
    uscc = Uscc(required=True)
    reason = Text(max_length=200, load_default="")

    @validates_schema
    def _names_enterprise(self, data, **kwargs):
        if "uscc" not in data:  # a PATCH loads nested entries partially too: an entry must name its enterprise
            raise ValidationError(t("registry.avoid_needs_uscc"), "uscc")
        data.setdefault("reason", "")


class InspectorSchema(StrictSchema):
    kind = Label(KIND_LABELS, "registry.bad_kind", load_default="inspector")
    name = Text(max_length=50, min_length=2, required=True)
    cert_no = Text(max_length=40, min_length=1, required=True)
    unit = Text(max_length=100, min_length=2, required=True)
    region = fields.String(required=True, validate=problem_validator(validate_region))
    sectors = SectorList(required=True)
    mobile = Text(max_length=20, load_default="", validate=validate.Regexp(r"^(\+?86)?1\d{10}$|^$"))
    active = fields.Boolean(load_default=True)
    avoid = fields.List(fields.Nested(AvoidanceSchema), load_default=list, validate=validate.Length(max=200))
    # 执法证 valid until (inclusive), YYYY-MM-DD; an expired certificate keeps its holder out of draws.
    cert_expires = fields.String(load_default=None, allow_none=True, validate=_iso_date)
    leave = fields.List(fields.Nested(LeaveSchema), load_default=list, validate=validate.Length(max=100))

    @post_load
    def _unique_avoid(self, data, **kwargs):
        if "avoid" not in data:  # a partial update that does not name the list keeps it (issue 12, failure 1)
            return data
        seen = {}
        for entry in data.get("avoid", []):
            seen.setdefault(entry["uscc"], entry)
        data["avoid"] = list(seen.values())
        return data


class EnterpriseCreateSchema(EnterpriseSchema):
    """An enterprise with its main site (经度/纬度 of the main site)."""
    site = fields.Nested(SiteSchema, load_default=None)


class SiteOutSchema(SiteSchema):
    id = fields.String(attribute="_id", dump_only=True)
    enterprise = fields.String(dump_only=True)
    region = fields.String(dump_only=True)
    crs = fields.String(dump_only=True)
    main = fields.Boolean(dump_only=True)


class EnterpriseOutSchema(EnterpriseSchema):
    id = fields.String(attribute="_id", dump_only=True)
    active = fields.Boolean(dump_only=True)
    created_at = fields.String(dump_only=True)
    updated_at = fields.String(dump_only=True)


class InspectorOutSchema(InspectorSchema):
    id = fields.String(attribute="_id", dump_only=True)
    cert_status = fields.Function(lambda doc: _cert_state(doc)["status"], dump_only=True)
    created_at = fields.String(dump_only=True)
    updated_at = fields.String(dump_only=True)


class EnterpriseSearchArgs(StrictSchema):
    q = fields.String(load_default="", validate=validate.Length(max=50))
    region = fields.String(load_default=None, validate=validate.Regexp(r"^\d{2,6}$"))
    industry = Sector(load_default=None)
    risk = Label(RISK_LABELS, "registry.bad_risk", load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))


class InspectorSearchArgs(StrictSchema):
    q = fields.String(load_default="", validate=validate.Length(max=50))
    region = fields.String(load_default=None, validate=validate.Regexp(r"^\d{2,6}$"))
    sector = Sector(load_default=None)
    kind = Label(KIND_LABELS, "registry.bad_kind", load_default=None)
    active = fields.Boolean(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))


def page_schema(item_schema, name: str):
    """A page of results: items, the page asked for, and whether more follow."""
    return type(name, (StrictSchema,), {
        "items": fields.List(fields.Nested(item_schema)),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
        "has_more": fields.Boolean(),
    })


EnterprisePageSchema = page_schema(EnterpriseOutSchema, "EnterprisePageSchema")
InspectorPageSchema = page_schema(InspectorOutSchema, "InspectorPageSchema")


def _cert_state(doc: dict) -> dict:
    from server.plans.certificates import state  # the rule lives with the draw that applies it
    return state(doc)
