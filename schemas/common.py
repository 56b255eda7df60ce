"""Shared schema pieces: strict base schema, pagination, and Chinese messages for marshmallow's errors."""
from __future__ import annotations

import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from i18n import Problem, t


class StrictSchema(Schema):
    """Unknown fields are refused, never dropped (a typo must not lose data)."""

    class Meta:
        unknown = RAISE


def problem_validator(check):
    """Wrap a pure check that raises Problem so marshmallow reports it in the user's language."""
    def run(value):
        try:
            check(value)
        except Problem as exc:
            raise ValidationError(exc.message()) from exc
    return run


class Text(fields.String):
    """A trimmed string with a length cap; control characters are refused."""

    _CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

    def __init__(self, max_length: int = 200, min_length: int = 0, validate=None, **kwargs):
        checks = [v for v in (validate if isinstance(validate, list) else [validate]) if v]
        super().__init__(validate=[_length(min_length, max_length), *checks], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if self._CONTROL.search(text):
            raise ValidationError(t("mm.control_chars"))
        return text


def _length(min_length: int, max_length: int):
    return validate.Length(min=min_length, max=max_length)


class PageArgs(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))


# marshmallow's own English messages, matched by pattern and given in the user's language.
_PATTERNS = [
    (re.compile(r"^Missing data for required field\.$"), "mm.required"),
    (re.compile(r"^Unknown field\.$"), "mm.unknown"),
    (re.compile(r"^Field may not be null\.$"), "mm.null"),
    (re.compile(r"^Not a valid (string|integer|number|boolean|list|mapping type|date|datetime)\.$"), "mm.type"),
    (re.compile(r"^Invalid type\.$"), "mm.type"),
    (re.compile(r"^Invalid input type\.$"), "mm.type"),
    (re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"), "mm.length_between"),
    (re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"), "mm.length_min"),
    (re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"), "mm.length_max"),
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), "mm.one_of"),
    (re.compile(r"^Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.$"),
     "mm.range"),
    (re.compile(r"^Must be greater than or equal to (?P<min>\S+)\.$"), "mm.min"),
    (re.compile(r"^Must be less than or equal to (?P<max>\S+)\.$"), "mm.max"),
    (re.compile(r"^String does not match expected pattern\.$"), "mm.pattern"),
    (re.compile(r"^Special numeric values \(nan or infinity\) are not permitted\.$"), "mm.special_number"),
]


def translate_errors(errors):
    """Walk a marshmallow error structure and put known English messages into the current language."""
    if isinstance(errors, dict):
        return {k: translate_errors(v) for k, v in errors.items()}
    if isinstance(errors, list):
        return [translate_errors(v) for v in errors]
    if isinstance(errors, str):
        for pattern, key in _PATTERNS:
            m = pattern.match(errors)
            if m:
                return t(key, **m.groupdict())
    return errors
