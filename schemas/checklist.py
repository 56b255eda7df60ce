"""Checklist templates (检查事项清单): versioned lists of items, each with its legal basis (无依据不检查)."""
from __future__ import annotations

import json
import math
import re
from contextlib import suppress
from datetime import date
from pathlib import Path

from marshmallow import ValidationError, fields, validate, validates_schema

from i18n import Problem, t
from schemas import sectors
from schemas.common import StrictSchema, translate_errors

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "checklists"
ALL_SECTORS = "*"
ANSWER_KINDS = ("yes_no_na", "number", "text")
YES_NO_NA = ("yes", "no", "na")
MAX_ITEMS = 500
MAX_FILE_BYTES = 2_000_000
TEMPLATE_KEY = re.compile(r"^[a-z0-9_]{2,64}$")
ITEM_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def template_id(key: str, version: int) -> str:
    return f"checklist:{key}:v{version}"


def _preview(value) -> str:
    try:
        return str(value)[:40]
    except ValueError:  # str() of an int of more than 4300 digits raises
        return type(value).__name__


def _is_number(value) -> bool:
    try:  # an int too large for a float is no measurement either
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    except OverflowError:
        return False


class PlainText(fields.String):
    """A trimmed string with a length cap. Markup such as <script> is kept as text, escaped at render."""

    def __init__(self, max_length: int, empty_key: str | None = None,
                 long_key: str = "checklist.too_long", **kwargs):
        super().__init__(**kwargs)
        self.max_length, self.empty_key, self.long_key = max_length, empty_key, long_key

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(t("checklist.type_string"))
        text = value.strip()
        if not text and self.empty_key:
            raise ValidationError(t(self.empty_key))
        if len(text) > self.max_length:
            raise ValidationError(t(self.long_key, max=self.max_length, length=len(text)))
        if _CONTROL.search(text):
            raise ValidationError(t("checklist.control_chars"))
        return text


class Code(fields.String):
    """A string that must match a pattern or be one of a fixed set, with its own message."""

    def __init__(self, message_key: str, pattern: re.Pattern | None = None, choices=(), **kwargs):
        super().__init__(**kwargs)
        self.message_key, self.pattern, self.choices = message_key, pattern, choices

    def _deserialize(self, value, attr, data, **kwargs):
        choices = self.choices() if callable(self.choices) else self.choices
        if isinstance(value, str) and ((self.pattern and self.pattern.fullmatch(value)) or value in choices):
            return value
        raise ValidationError(t(self.message_key, value=_preview(value)))


class StrictBoolean(fields.Boolean):
    """true or false only: "yes", 1 or "否" are refused rather than guessed."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError(t("checklist.type_boolean"))
        return value


class StrictNumber(fields.Float):
    """A finite JSON number (not a string, not a boolean), given back as stored: 9 stays 9, not 9.0."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not _is_number(value):
            raise ValidationError(t("checklist.type_number"))
        return value

    _serialize = fields.Field._serialize


class VersionNumber(fields.Integer):
    """A whole JSON number from 1 to 100,000: "1", 1.0 and true are refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(t("checklist.type_integer"))
        if not 1 <= value <= 100_000:
            raise ValidationError(t("checklist.bad_version", value=_preview(value)))
        return value


class IsoDate(fields.String):
    """A calendar date as YYYY-MM-DD, kept as that string so the document stays plain JSON."""

    def _deserialize(self, value, attr, data, **kwargs):
        with suppress(ValueError):  # 2023-02-30 has the right shape but is no day
            if isinstance(value, str) and ISO_DATE.fullmatch(value) and date.fromisoformat(value):
                return value
        raise ValidationError(t("checklist.bad_date", value=_preview(value)))


class BoundedList(fields.List):
    """A list whose size is checked before its elements are, so 10,000 items cost nothing to refuse."""

    def __init__(self, inner, max_items: int, empty_key: str, too_many_key: str, **kwargs):
        super().__init__(inner, **kwargs)
        self.max_items, self.empty_key, self.too_many_key = max_items, empty_key, too_many_key

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list):
            if not value:
                raise ValidationError(t(self.empty_key))
            if len(value) > self.max_items:
                raise ValidationError(t(self.too_many_key, count=len(value), max=self.max_items))
        return super()._deserialize(value, attr, data, **kwargs)


def _sector_code(**kwargs) -> Code:
    # Looked up when used, not frozen at import: the sector table is data that operators extend.
    return Code("checklist.unknown_sector", choices=lambda: [ALL_SECTORS, *sectors.codes()], **kwargs)


class SectorList(BoundedList):
    """Sector codes from data/sectors.json, or ["*"] alone for every sector."""

    def __init__(self, **kwargs):
        super().__init__(_sector_code(), 50, "checklist.no_sectors", "checklist.too_many_sectors", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        codes = super()._deserialize(value, attr, data, **kwargs)
        if len(set(codes)) != len(codes):
            raise ValidationError(t("checklist.duplicate_sector"))
        if ALL_SECTORS in codes and len(codes) > 1:
            raise ValidationError(t("checklist.star_not_alone"))
        return codes


def _bilingual(name: str, max_zh: int, empty_key: str, long_key: str = "checklist.too_long"):
    """{"zh": …, "en": …}: Chinese required, English optional (and allowed twice the length)."""
    return StrictSchema.from_dict({"zh": PlainText(max_zh, empty_key, long_key, required=True),
                                   "en": PlainText(max_zh * 2, load_default="")}, name=name)


TitleSchema = _bilingual("TitleSchema", 100, "checklist.title_required")
ItemTextSchema = _bilingual("ItemTextSchema", 500, "checklist.text_required", "checklist.text_too_long")
GroupSchema = _bilingual("GroupSchema", 50, "checklist.group_required")
ViolationSchema = _bilingual("ViolationSchema", 500, "checklist.violation_required", "checklist.text_too_long")


class ItemSchema(StrictSchema):
    """One check, phrased so that 是 (yes) means compliant; failing a major item is a 重大事故隐患. Its
    `violation` states the failure (hazards and 存在的问题 start from it; old versions: schemas/violation.py)."""
    key = Code("checklist.bad_item_key", ITEM_KEY, required=True)
    text = fields.Nested(ItemTextSchema, required=True)
    violation = fields.Nested(ViolationSchema, allow_none=True, load_default=None)  # required: _answer_rules
    basis = PlainText(300, "checklist.basis_required", required=True)
    answer = Code("checklist.bad_answer_kind", choices=ANSWER_KINDS, required=True)
    unit = PlainText(20, allow_none=True, load_default=None)
    min = StrictNumber(allow_none=True, load_default=None)
    max = StrictNumber(allow_none=True, load_default=None)
    photo_required = StrictBoolean(load_default=False)
    major_if_failed = StrictBoolean(load_default=False)
    sector = _sector_code(load_default=ALL_SECTORS)
    group = fields.Nested(GroupSchema, load_default=lambda: {"zh": "通用", "en": "General"})

    @validates_schema
    def _answer_rules(self, data, **kwargs):
        if not data.get("violation"):
            raise ValidationError(t("checklist.violation_required"), "violation")
        if data["answer"] == "number":
            if not data.get("unit"):
                raise ValidationError(t("checklist.unit_required"), "unit")
        else:
            if data.get("unit") is not None:
                raise ValidationError(t("checklist.unit_not_allowed"), "unit")
            for bound in ("min", "max"):
                if data.get(bound) is not None:
                    raise ValidationError(t("checklist.range_not_allowed"), bound)
        low, high = data.get("min"), data.get("max")
        if low is not None and high is not None and low > high:
            raise ValidationError(t("checklist.min_gt_max", min=low, max=high), "min")


class ChecklistTemplateSchema(StrictSchema):
    """A versioned template document in the `registry` database: `checklist:<key>:v<version>`."""
    id = fields.String(data_key="_id", attribute="_id", required=True)
    rev = fields.String(data_key="_rev", attribute="_rev")  # present once the document is stored
    type = Code("checklist.bad_type", choices=("checklist",), required=True)
    key = Code("checklist.bad_key", TEMPLATE_KEY, required=True)
    version = VersionNumber(required=True)
    title = fields.Nested(TitleSchema, required=True)
    sectors = SectorList(required=True)
    basis = PlainText(300, "checklist.basis_required", required=True)
    effective_from = IsoDate(required=True)
    status = Code("checklist.bad_status", choices=("active", "retired"), required=True)
    items = BoundedList(fields.Nested(ItemSchema), MAX_ITEMS, "checklist.no_items",
                        "checklist.too_many_items", required=True)
    created_at = fields.String(validate=validate.Length(max=40))  # set by the server when it stores one
    created_by = fields.String(validate=validate.Length(max=64))

    @validates_schema
    def _whole_document(self, data, **kwargs):
        expected = template_id(data["key"], data["version"])
        if data["_id"] != expected:
            message = t("checklist.id_mismatch", value=data["_id"][:80], expected=expected)
            raise ValidationError(message, "_id")
        problems = _item_problems(data["items"], data["sectors"])
        if problems:
            raise ValidationError({"items": problems})


def _item_problems(items: list[dict], template_sectors: list[str]) -> dict:
    """Per-item errors that need the whole template: unique keys, sectors inside the template's."""
    allowed = None if ALL_SECTORS in template_sectors else {ALL_SECTORS, *template_sectors}
    problems: dict[int, dict] = {}
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item["key"] in first_seen:
            problems[index] = {"key": [t("checklist.duplicate_item_key", item=item["key"],
                                         first=first_seen[item["key"]] + 1, second=index + 1)]}
            continue
        first_seen[item["key"]] = index
        if allowed and item["sector"] not in allowed:
            message = t("checklist.item_sector_outside", item=item["key"], sector=item["sector"])
            problems[index] = {"sector": [message]}
    return problems


def item_failed(item: dict, answer_value) -> bool:
    """Whether an answer fails its item ("no", a number outside [min, max]); None, "na" (不适用, any item
    type) and text answers never fail; an answer of the wrong kind raises Problem. Pure."""
    if answer_value is None or answer_value == "na":
        return False
    kind, key = item.get("answer"), _preview(item.get("key", ""))
    if kind == "yes_no_na":
        if not isinstance(answer_value, str) or answer_value not in YES_NO_NA:
            raise Problem("checklist.bad_yes_no", item=key, value=_preview(answer_value))
        return answer_value == "no"
    if kind == "number":
        if not _is_number(answer_value):
            raise Problem("checklist.bad_number_answer", item=key, value=_preview(answer_value))
        low, high = item.get("min"), item.get("max")
        return (low is not None and answer_value < low) or (high is not None and answer_value > high)
    if kind == "text":
        if not isinstance(answer_value, str):
            raise Problem("checklist.bad_text_answer", item=key)
        return False
    raise Problem("checklist.bad_answer_kind", value=_preview(kind))


def load_builtin_templates(directory: Path | str | None = None) -> list[dict]:
    """Every template in data/checklists/*.json, validated; one bad file stops the load, naming it.
    Files are named `<key>_v<version>.json` (so ids are unique); at most one version of a key is active."""
    folder = Path(directory) if directory is not None else DATA_DIR
    templates, active = [], {}
    for path in sorted(folder.glob("*.json")):
        doc = _read_template(path)
        expected = f"{doc['key']}_v{doc['version']}.json"
        if path.name != expected:
            raise Problem("checklist.file_name", file=path.name, expected=expected)
        if doc["status"] == "active" and active.setdefault(doc["key"], path.name) != path.name:
            raise Problem("checklist.two_active", template=doc["key"], first=active[doc["key"]],
                          second=path.name)
        templates.append(doc)
    return templates


def _read_template(path: Path) -> dict:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise Problem("checklist.file_too_large", file=path.name, max=MAX_FILE_BYTES)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:
        raise Problem("checklist.bad_json", file=path.name, detail=str(exc)[:200]) from exc
    if not isinstance(raw, dict):
        raise Problem("checklist.not_object", file=path.name)
    try:
        return ChecklistTemplateSchema().load(raw)
    except ValidationError as exc:
        detail = json.dumps(translate_errors(exc.messages), ensure_ascii=False)[:2000]
        raise Problem("checklist.builtin_invalid", file=path.name, detail=detail) from exc
