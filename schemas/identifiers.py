"""Identifier checks: 统一社会信用代码 (GB 32100-2015) and WGS-84 coordinates inside China."""
from __future__ import annotations

import math
import numbers
import random
from decimal import Decimal

from i18n import Problem

# GB 32100-2015 §4: digits and capital letters without I O S V Z, valued 0-30 in this order.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
CHECK_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, … (3^(i-1) mod 31)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# The organisation code (GB 11714) values letters over the full Latin alphabet: A=10 … Z=35, not the
# 31-character order above. Verified against published codes such as 91310115MA1K3BTP2B.
_ORG_VALUE = {ch: int(ch, 36) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}

# Registration authority (position 1) → institution kinds (position 2) it may issue, from the table in
# GB 32100-2015 Appendix A with amendment No. 1 (A = 中央军委改革和编制办公室, N = 农业).
AUTHORITY_KINDS = {
    "1": "1239",    # 机构编制: 机关, 事业单位, 直管群众团体, 其他
    "2": "19",      # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",      # 文化: 外国在华文化中心, 其他
    "5": "1239",    # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",     # 旅游: 外国/港澳台旅游部门常驻代表机构, 其他
    "7": "129",     # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",      # 工会: 基层工会, 其他
    "9": "123",     # 工商 (市场监管): 企业, 个体工商户, 农民专业合作社
    "A": "19",      # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",    # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",       # 其他: not subdivided, always 1
}
_MAX_INPUT = 64  # longer than any spaced-out code; never scanned further
# Rough bounding box of China (WGS-84); generous on purpose: it catches swaps and zeros, not borders.
CHINA_LNG = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)


def _shown(ch: str) -> str:
    """A character fit to quote in a message: invisible ones as U+XXXX."""
    return ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"


def normalise_uscc(raw) -> str:
    """Spaces removed, full-width forms (ＡＢ１２, full-width space) folded to ASCII, upper-cased."""
    if raw is None:
        raise Problem("uscc.empty")
    if not isinstance(raw, str):
        raise Problem("uscc.not_text")
    if len(raw) > _MAX_INPUT:
        raise Problem("uscc.length", length=len(raw))
    folded = "".join(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in raw)
    return "".join(folded.split()).upper()


def org_check_char(body: str) -> str:
    """Check character of an 8-character organisation-code body (GB 11714): 10 → X, 11 → 0."""
    value = 11 - sum(_ORG_VALUE[ch] * w for ch, w in zip(body, ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_check_char(first17: str) -> str:
    """Position 18 of a code from its first 17 characters: C18 = 31 - (Σ Ci·Wi mod 31), 31 → 0."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, CHECK_WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def check_uscc(code) -> str:
    """The normalised code, or Problem naming the first rule it breaks (uscc.*).

    Whether positions 3-8 are a region in today's table is not checked: a code keeps the region it
    was issued under for life, even after that region is renamed or merged.
    """
    text = normalise_uscc(code)
    if not text:
        raise Problem("uscc.empty")
    if len(text) != 18:
        raise Problem("uscc.length", length=len(text))
    for position, ch in enumerate(text, start=1):
        if ch not in _VALUE:
            raise Problem("uscc.charset", position=position, char=_shown(ch))
    _check_authority(text[0], text[1])
    if not text[2:8].isdigit():
        raise Problem("uscc.region", region=text[2:8])
    expected = org_check_char(text[8:16])
    if text[16] != expected:
        raise Problem("uscc.org_check", expected=expected, found=text[16])
    expected = uscc_check_char(text[:17])
    if text[17] != expected:
        raise Problem("uscc.check_char", expected=expected, found=text[17])
    return text


def _check_authority(authority: str, kind: str) -> None:
    """Positions 1-2: a registration authority of the standard's table and a kind that authority issues."""
    if not isinstance(authority, str) or authority not in AUTHORITY_KINDS:
        raise Problem("uscc.authority", char=str(authority)[:4], allowed=" ".join(AUTHORITY_KINDS))
    if not isinstance(kind, str) or len(kind) != 1 or kind not in AUTHORITY_KINDS[authority]:
        raise Problem("uscc.kind", authority=authority, char=str(kind)[:4],
                      allowed=" ".join(AUTHORITY_KINDS[authority]))


def make_uscc(region: str, rng: random.Random, authority: str = "9", kind: str = "1") -> str:
    """A valid code for tests and demo data; its body looks like real ones (MA… since 2015, or digits)."""
    if not (isinstance(region, str) and len(region) == 6 and all(c in "0123456789" for c in region)):
        raise Problem("uscc.region", region=str(region)[:20])
    _check_authority(authority, kind)
    if rng.random() < 0.6:
        body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = authority + kind + region + body + org_check_char(body)
    return first17 + uscc_check_char(first17)


def check_coordinates(lng, lat) -> tuple[float, float]:
    """(lng, lat) as floats if they are finite WGS-84 degrees inside China's rough box; else Problem coords.*."""
    lng, lat = _degrees("lng", lng), _degrees("lat", lat)
    if _in_china(lng, lat):
        return lng, lat
    # Before the range checks: (36.6, 117.0) is out of range only because it is swapped.
    if _in_china(lat, lng):
        raise Problem("coords.swapped", lng=lng, lat=lat)
    if not -180.0 <= lng <= 180.0:
        raise Problem("coords.lng_range", lng=lng)
    if not -90.0 <= lat <= 90.0:
        raise Problem("coords.lat_range", lat=lat)
    raise Problem("coords.outside_china", lng=lng, lat=lat)


def _degrees(axis: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        raise Problem(f"coords.{axis}_not_number")
    try:
        degrees = float(value)
    except OverflowError as exc:  # an int with hundreds of digits
        raise Problem(f"coords.{axis}_not_finite") from exc
    if not math.isfinite(degrees):
        raise Problem(f"coords.{axis}_not_finite")
    return degrees


def _in_china(lng: float, lat: float) -> bool:
    return CHINA_LNG[0] <= lng <= CHINA_LNG[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]
