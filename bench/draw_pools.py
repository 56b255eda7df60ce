"""Synthetic but valid-looking registers for the draw benchmark: Jinan enterprises, inspectors, history."""
from __future__ import annotations

import random

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

# Jinan's districts and counties (GB/T 2260), weighted roughly by how many firms each registers.
DISTRICTS = {"370102": 12, "370103": 10, "370104": 8, "370105": 9, "370112": 14, "370113": 6, "370114": 12,
             "370115": 6, "370116": 7, "370117": 3, "370124": 4, "370126": 4}
SECTORS = {"commerce": 25, "machinery": 20, "light_industry": 15, "building_materials": 8,
           "hazardous_chemicals": 8, "construction": 8, "textile": 4, "metallurgy": 3, "nonferrous": 2,
           "non_coal_mine": 3, "fireworks": 2, "tobacco": 1, "coal_mine": 1}
RISK = {"red": 2, "orange": 8, "yellow": 30, "blue": 60}
STD = {"1": 3, "2": 12, "3": 35, "none": 50}
CREDIT = {"A": 40, "B": 35, "C": 8, "D": 2, "": 15}
WORDS = "鲁泉历城华山明湖齐鲁泺源舜耕千佛趵突章丘平阴济阳商河汇通恒信宏达金泰瑞丰永盛"
TRADES = {"commerce": "商贸", "machinery": "机械", "light_industry": "食品", "building_materials": "建材",
          "hazardous_chemicals": "化工", "construction": "建筑工程", "textile": "纺织", "metallurgy": "钢铁",
          "nonferrous": "铝业", "non_coal_mine": "矿业", "fireworks": "烟花", "tobacco": "卷烟", "coal_mine": "煤业"}


def uscc(rng: random.Random, region: str) -> str:
    """A code that passes both GB 32100 check characters (org code of digits, so GB 11714 stays simple)."""
    body = [rng.randrange(10) for _ in range(8)]
    org_check = 11 - sum(v * w for v, w in zip(body, ORG_WEIGHTS)) % 11
    org = "".join(map(str, body)) + {10: "X", 11: "0"}.get(org_check, str(org_check))
    first17 = "91" + region + org
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


def _pick(rng: random.Random, weights: dict, k: int = 1) -> list:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def enterprises(rng: random.Random, n: int) -> list[dict]:
    regions, sectors = _pick(rng, DISTRICTS, n), _pick(rng, SECTORS, n)
    risks, stds, credits = _pick(rng, RISK, n), _pick(rng, STD, n), _pick(rng, CREDIT, n)
    out, seen = [], set()
    for i in range(n):
        code = uscc(rng, regions[i])
        while code in seen:
            code = uscc(rng, regions[i])
        seen.add(code)
        roll = rng.random()
        flags = ["accident"] if roll < 0.003 else ["complaint"] if roll < 0.013 else []
        name = "济南" + "".join(rng.sample(WORDS, 2)) + TRADES[sectors[i]] + "有限公司"
        out.append({"_id": f"enterprise:{code}", "uscc": code, "name": name, "region": regions[i],
                    "industry": sectors[i], "risk": risks[i], "std_level": stds[i], "credit": credits[i],
                    "flags": flags})
    return out


def people(rng: random.Random, n: int, firms: list[dict]) -> list[dict]:
    """Inspectors (about 85 %) and experts; city-bureau staff (370100) and district staff; a few conflicts."""
    out = []
    for i in range(n):
        kind = "expert" if rng.random() < 0.15 else "inspector"
        region = "370100" if rng.random() < 0.2 else _pick(rng, DISTRICTS)[0]
        sectors = sorted(set(_pick(rng, SECTORS, rng.randint(2, 4))))
        avoid = []
        if firms and rng.random() < 0.05:
            avoid = [{"uscc": rng.choice(firms)["uscc"], "reason": "亲属任职"} for _ in range(rng.randint(1, 3))]
        out.append({"_id": f"inspector:{i:06d}", "name": "".join(rng.sample(WORDS, 3)),
                    "cert_no": f"37010{rng.randrange(10**8):08d}", "region": region, "sectors": sectors,
                    "active": rng.random() < 0.95, "kind": kind,
                    "avoid": list({a["uscc"]: a for a in avoid}.values())})
    return out


def history(rng: random.Random, firms: list[dict], staff: list[dict]) -> list[dict]:
    """About 15 % of firms already visited this year, some twice; complaint visits do not count."""
    ids = [p["_id"] for p in staff if p["kind"] == "inspector"]
    out = []
    for firm in rng.sample(firms, len(firms) * 15 // 100):
        for _ in range(1 if rng.random() < 0.8 else 2):
            out.append({"enterprise": firm["uscc"], "inspectors": rng.sample(ids, 2),
                        "date": f"2026-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}",
                        "counts_toward_cap": rng.random() < 0.9})
    return out


def pools(n_enterprises: int, n_inspectors: int, seed: int = 20260601) -> dict:
    rng = random.Random(seed)
    firms = enterprises(rng, n_enterprises)
    staff = people(rng, n_inspectors, firms)
    return {"enterprises": firms, "inspectors": staff, "history": history(rng, firms, staff)}


def plan_rules() -> dict:
    """Five tiers as seen in a province (100 % / 20 % / 8 % / 4 % / 1 %), targeted flags, every team rule on."""
    return {
        "scope": {"regions": ["370100"], "sectors": []},
        "tiers": [
            {"name": "重大风险", "risk": ["red"], "proportion": 1.0, "rounding": "ceil"},
            {"name": "较大风险", "risk": ["orange"], "proportion": 0.2, "rounding": "ceil"},
            {"name": "一般风险·信用差", "risk": ["yellow"], "credit": ["C", "D"], "proportion": 0.08,
             "rounding": "half_up"},
            {"name": "一般风险", "risk": ["yellow"], "proportion": 0.04, "rounding": "half_up"},
            {"name": "低风险", "risk": ["blue"], "proportion": 0.01, "rounding": "floor"},
        ],
        "targeted": {"uscc": [], "flags": ["accident", "complaint"], "apply_caps": False},
        "caps": {"default": {"1": 1, "2": 2, "3": 4, "none": 6},
                 "sectors": {"hazardous_chemicals": {"1": 2, "2": 4, "3": 8, "none": 12}}},
        "team": {"inspectors": 2, "experts": 1, "require_qualification": True, "cross_region": True,
                 "avoid_repeat": True},
    }
