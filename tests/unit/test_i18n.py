"""Message catalogues: both languages complete, fallbacks, negotiation, error translation."""
import json
from pathlib import Path

import pytest

import i18n
from i18n import Problem, negotiate, t
from schemas.common import translate_errors

ROOT = Path(i18n.__file__).parent


def test_every_key_exists_in_both_languages():
    zh, en = i18n.catalogue("zh_CN"), i18n.catalogue("en")
    assert set(zh) == set(en), (set(zh) ^ set(en))


def test_placeholders_match_between_languages():
    """Same parameters in both languages; a parameter may come in a per-language form (sector_zh/sector_en)."""
    import re
    import string
    fmt = string.Formatter()
    zh, en = i18n.catalogue("zh_CN"), i18n.catalogue("en")
    for key in zh:
        names = lambda s: {re.sub(r"_(zh|en)$", "", f) for _, f, _, _ in fmt.parse(s) if f}  # noqa: E731
        assert names(zh[key]) == names(en[key]), key


def test_catalogue_files_are_valid_json_objects():
    for path in ROOT.glob("*/*.json"):
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict), path


def test_chinese_is_the_default_and_english_available():
    assert t("error.not_found") == i18n.catalogue("zh_CN")["error.not_found"]
    assert t("error.not_found", "en").startswith("Not found")


def test_unknown_key_falls_back_to_the_key_and_bad_params_do_not_raise():
    assert t("no.such.key") == "no.such.key"
    assert t("mm.length_max") == i18n.catalogue("zh_CN")["mm.length_max"]  # missing {max}: text as is


@pytest.mark.parametrize("header,requested,expected", [
    (None, None, "zh_CN"), ("en-US,en;q=0.9", None, "en"), ("fr-FR", None, "zh_CN"),
    ("en;q=0.1, zh-CN;q=0.9", None, "zh_CN"), ("zh-TW", None, "zh_CN"), ("en", "zh_CN", "zh_CN"),
    ("x" * 10000, None, "zh_CN"), ("en;q=abc", None, "zh_CN"), (",,,;;;", "en", "en"),
])
def test_negotiate(header, requested, expected):
    assert negotiate(header, requested) == expected


def test_problem_message_in_each_language():
    problem = Problem("account.password_short", min=10)
    assert "10" in problem.message("zh_CN") and "10" in problem.message("en")


def test_translate_marshmallow_errors_nested():
    out = translate_errors({"a": ["Missing data for required field."],
                            "b": {"0": ["Length must be between 1 and 5."]}, "c": ["custom"]})
    assert out["a"] == [t("mm.required")]
    assert out["b"]["0"] == [t("mm.length_between", min="1", max="5")]
    assert out["c"] == ["custom"]
