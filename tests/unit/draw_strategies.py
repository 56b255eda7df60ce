"""Hypothesis strategies and an independent oracle for the draw's tests (small pools, every rule varied)."""
import re
from collections import Counter
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from hypothesis import strategies as st

COUNTIES = ["370102", "370103", "370112", "370202"]            # 370202 is Qingdao: outside 3701
PEOPLE_REGIONS = ["370100", "370102", "370103", "370112"]
SECTORS = ["hazardous_chemicals", "machinery", "commerce"]
SCOPES = [["370100"], ["370000"], ["370102"], ["370102", "370112"], ["370103", "370202"]]
ROUNDING = {"ceil": ROUND_CEILING, "floor": ROUND_FLOOR, "half_up": ROUND_HALF_UP}


def uscc(i: int, region: str) -> str:
    return f"91{region}{i:09d}X"


@st.composite
def enterprises(draw, max_size=20):
    n = draw(st.integers(0, max_size))
    out = []
    for i in range(n):
        region = draw(st.sampled_from(COUNTIES))
        out.append({"_id": f"enterprise:{uscc(i, region)}", "uscc": uscc(i, region), "name": f"企业{i}",
                    "region": region, "industry": draw(st.sampled_from(SECTORS)),
                    "risk": draw(st.sampled_from(["red", "orange", "yellow", "blue"])),
                    "std_level": draw(st.sampled_from(["1", "2", "3", "none"])),
                    "credit": draw(st.sampled_from(["A", "B", "C", "D", ""])),
                    "flags": [draw(st.sampled_from(["accident", "complaint"]))] if draw(st.integers(0, 4)) == 0 else [],
                    "active": draw(st.integers(0, 9)) > 0})
    return out


@st.composite
def people(draw, firms, max_size=14):
    n = draw(st.integers(2, max_size))
    out = []
    for i in range(n):
        avoid = draw(st.lists(st.sampled_from(firms), max_size=3, unique_by=lambda e: e["uscc"])) if firms else []
        out.append({"_id": f"inspector:p{i:03d}", "name": f"人员{i}", "cert_no": f"C{i}",
                    "region": draw(st.sampled_from(PEOPLE_REGIONS)),
                    "sectors": draw(st.lists(st.sampled_from(SECTORS), min_size=1, max_size=3, unique=True)),
                    "active": draw(st.integers(0, 9)) > 0,
                    "kind": "expert" if draw(st.integers(0, 5)) == 0 else "inspector",
                    "avoid": [{"uscc": e["uscc"], "reason": "亲属"} for e in avoid]})
    return out


@st.composite
def history(draw, firms, staff):
    if not firms:
        return []
    ids = [p["_id"] for p in staff]
    return [{"enterprise": draw(st.sampled_from(firms))["uscc"],
             "inspectors": draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True)),
             "date": f"2026-0{draw(st.integers(1, 5))}-1{draw(st.integers(0, 9))}",
             "counts_toward_cap": draw(st.booleans())}
            for _ in range(draw(st.integers(0, 8)))]


@st.composite
def tiers(draw):
    out = []
    for i in range(draw(st.sampled_from([0, 1, 1, 2, 2, 3]))):
        tier = {"name": f"档{i}", "rounding": draw(st.sampled_from(list(ROUNDING)))}
        for key, values in (("risk", ["red", "orange", "yellow", "blue"]), ("std_level", ["1", "2", "3", "none"]),
                            ("credit", ["A", "B", "C", "D", ""])):
            if draw(st.integers(0, 2)) == 0:
                tier[key] = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))
        if draw(st.booleans()):
            tier["proportion"] = draw(st.integers(0, 100)) / 100
        else:
            tier["count"] = draw(st.integers(0, 6))
        out.append(tier)
    return out


@st.composite
def rules(draw, firms):
    cap = st.sampled_from([0, 1, 1, 2, 4, 6])
    body = {"scope": {"regions": draw(st.one_of(st.just(["370100"]), st.sampled_from(SCOPES))),
                      "sectors": draw(st.one_of(st.just([]), st.lists(st.sampled_from(SECTORS), max_size=2,
                                                                      unique=True)))},
            "tiers": draw(tiers()),
            "targeted": {"uscc": [],
                         "flags": draw(st.lists(st.sampled_from(["accident", "complaint"]), max_size=2, unique=True)),
                         "apply_caps": draw(st.booleans())},
            "caps": {"default": {lvl: draw(cap) for lvl in ("1", "2", "3", "none")},
                     "sectors": {"hazardous_chemicals": {lvl: draw(cap) for lvl in ("1", "2", "3", "none")}}},
            "team": {"inspectors": draw(st.sampled_from([2, 2, 2, 3])), "experts": draw(st.sampled_from([0, 0, 1])),
                     "require_qualification": draw(st.booleans()), "cross_region": draw(st.booleans()),
                     "avoid_repeat": draw(st.booleans())}}
    # Named targets mostly from inside the scope; now and then one outside, which must be refused.
    candidates = firms if draw(st.integers(0, 5)) == 0 else scoped(firms, body)
    if candidates:
        named = draw(st.lists(st.sampled_from(candidates), max_size=2, unique_by=lambda e: e["uscc"]))
        body["targeted"]["uscc"] = [e["uscc"] for e in named]
    if not body["tiers"] and not body["targeted"]["uscc"] and not body["targeted"]["flags"]:
        body["targeted"]["flags"] = ["complaint"]
    return body


@st.composite
def worlds(draw):
    firms = draw(enterprises())
    staff = draw(people(firms))
    return {"enterprises": firms, "inspectors": staff, "history": draw(history(firms, staff))}, draw(rules(firms))


# The oracle: the plan's rules restated plainly, independent of the implementation's data structures.

def covers(scope_code: str, region: str) -> bool:
    return region.startswith(re.sub(r"(00)+$", "", scope_code))


def scoped(firms: list, rule: dict) -> list:
    sectors = rule["scope"].get("sectors") or SECTORS
    return [e for e in firms if e.get("active", True) and e["industry"] in sectors
            and any(covers(code, e["region"]) for code in rule["scope"]["regions"])]


def is_targeted(e: dict, rule: dict) -> bool:
    return e["uscc"] in rule["targeted"]["uscc"] or bool(set(e["flags"]) & set(rule["targeted"]["flags"]))


def cap_of(e: dict, rule: dict) -> int:
    row = rule["caps"]["sectors"].get(e["industry"], rule["caps"]["default"])
    return row[e["std_level"]]


def visits(pools: dict) -> Counter:
    return Counter(h["enterprise"] for h in pools["history"] if h["counts_toward_cap"])


def tier_index(e: dict, rule: dict):
    for i, tier in enumerate(rule["tiers"]):
        if all(e[key] in tier[key] for key in ("risk", "std_level", "credit") if tier.get(key)):
            return i
    return None


def expected_target(tier: dict, population: int) -> int:
    if tier.get("count") is not None:
        return min(tier["count"], population)
    exact = Decimal(str(tier["proportion"])) * population
    return int(exact.quantize(Decimal(1), rounding=ROUNDING[tier.get("rounding", "ceil")]))


def eligible_people(staff: list, e: dict, rule: dict, kind: str) -> list:
    team = rule["team"]
    return [p for p in staff if p["kind"] == kind and p["active"]
            and (not team["require_qualification"] or e["industry"] in p["sectors"])
            and (not team["cross_region"] or p["region"] != e["region"])
            and e["uscc"] not in {a["uscc"] for a in p["avoid"]}]
