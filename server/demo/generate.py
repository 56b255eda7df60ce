"""Demo registers for 济南市: enterprise and inspector rows keyed by the Chinese import headers."""
from __future__ import annotations

import argparse
import csv
import io
import random
from pathlib import Path

from i18n import Problem
from schemas import regions, sectors
from schemas.identifiers import make_uscc

CITY = "370100"
CITY_BUREAU = "济南市应急管理局"
# Rough WGS-84 box of the whole city (Shanghe in the north to Gangcheng in the south).
CITY_BOX = (116.20, 118.00, 35.95, 37.55)  # lng min, lng max, lat min, lat max
# Each county: rough WGS-84 box around its built-up and industrial areas (approximate, inside CITY_BOX),
# real roads for addresses, and its share of the city's enterprises (industry is in the outer districts).
COUNTIES = {
    "370102": ((117.03, 117.16, 36.62, 36.69), "经十路 解放路 泉城路 文化东路 山大路 历山路 和平路 燕子山路", 6),
    "370103": ((116.95, 117.04, 36.56, 36.65), "经四路 经七路 纬二路 英雄山路 二环南路 舜耕路 玉函路 阳光新路", 6),
    "370104": ((116.84, 116.97, 36.63, 36.70), "经十路 经六路 张庄路 齐州路 青岛路 日照路 腊山河西路", 7),
    "370105": ((116.92, 117.04, 36.68, 36.80), "北园大街 堤口路 济泺路 无影山路 标山路 蓝翔路 清河北路", 8),
    "370112": ((117.05, 117.30, 36.55, 36.78), "工业北路 花园路 二环东路 世纪大道 华信路 荷花路 机场路", 16),
    "370113": ((116.65, 116.90, 36.40, 36.60), "大学路 经十西路 峰山路 清河街 长清湖路", 9),
    "370114": ((117.40, 117.65, 36.60, 36.85), "经十东路 汇泉路 山泉路 双山大街 唐王山路 明水大街", 14),
    "370115": ((117.08, 117.28, 36.90, 37.08), "开元大街 富阳街 纬二路 经一路 正安路", 8),
    "370116": ((117.55, 117.85, 36.15, 36.35), "鲁中大街 汶河大道 凤城西大街 长勺路 花园北路 龙潭大街", 11),
    "370117": ((117.75, 117.92, 36.00, 36.12), "钢都大街 府前大街 新兴路 九龙大街", 5),
    "370124": ((116.35, 116.55, 36.20, 36.35), "榆山路 青龙路 锦水街 府前街", 5),
    "370126": ((117.05, 117.30, 37.20, 37.40), "商中路 长青路 彩虹路 科源街", 5),
}
# Share of enterprises per sector (percent): industry and trade dominate, then hazardous chemicals.
SECTOR_SHARE = {"machinery": 22, "commerce": 19, "light_industry": 15, "building_materials": 10,
                "hazardous_chemicals": 9, "metallurgy": 7, "textile": 5, "nonferrous": 5.5, "construction": 3,
                "non_coal_mine": 1.6, "tobacco": 1.5, "fireworks": 1, "coal_mine": 0.4}
# Mines only where there are hills and old mining areas; steel where Laiwu and Gangcheng have it.
SECTOR_COUNTIES = {"coal_mine": ("370114", "370116", "370117"),
                   "non_coal_mine": ("370112", "370113", "370114", "370116", "370117", "370124")}
COUNTY_BOOST = {"metallurgy": {"370116": 6, "370117": 6}}
SECTOR_WORDS = {
    "hazardous_chemicals": "化工 化学 精细化工 石化 气体 涂料 油品储运 燃气",
    "coal_mine": "煤业 煤矿", "non_coal_mine": "矿业 石料 石灰石矿业",
    "fireworks": "烟花爆竹销售 烟花爆竹批发", "metallurgy": "钢铁 特钢 铸造 冶金 金属制品",
    "nonferrous": "铝业 铜业 有色金属 合金材料", "building_materials": "建材 水泥 混凝土 新型建材 玻璃 陶瓷",
    "machinery": "机械制造 机床 重工 汽车零部件 液压设备 农业机械 电机 机械设备",
    "light_industry": "食品 包装 家具 印刷 塑料制品 饮料 纸业 日用品",
    "textile": "纺织 服装 棉纺 针织", "tobacco": "烟草物流 卷烟配送",
    "commerce": "商贸 仓储物流 商业管理 超市 物流 购物中心", "construction": "建筑工程 建设工程 市政工程 建工",
}
BRAND = "鑫泰恒华盛源达宏远信丰瑞祥隆昌博安金润嘉诚德正和元通力鲁齐泉明东海宇创新聚益佳兴天汇中宝荣顺合康运福永晟锦"
FORMS = (("有限公司", 80), ("有限责任公司", 12), ("股份有限公司", 5), ("集团有限公司", 3))
SURNAMES = "王张李刘陈杨赵孙徐马朱胡郭高林何罗郑梁谢宋唐韩冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎潘杜戴夏钟田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌海燕鹏辉宁波婷雪梅晨浩宇鑫凯博峰亮欣怡佳琳"
RISK = {"high": (("红", 8), ("橙", 27), ("黄", 45), ("蓝", 20)), "other": (("红", 1), ("橙", 7), ("黄", 42), ("蓝", 50))}
STD_LEVEL = {"high": (("一级", 3), ("二级", 30), ("三级", 55), ("未定级", 12)),
             "other": (("一级", 1), ("二级", 10), ("三级", 39), ("未定级", 50))}
CREDIT = (("A", 55), ("B", 33), ("C", 9), ("D", 3))
URBAN = ("370102", "370103", "370104", "370105", "370112")
HIGH_HAZARD = {"hazardous_chemicals", "coal_mine", "non_coal_mine", "fireworks", "metallurgy"}
MOBILE_PREFIXES = ("130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 176 177 "
                   "178 180 181 182 183 185 186 187 188 189 198 199").split()
EXPERT_UNITS = ("济南市安全生产专家库", "山东大学", "山东建筑大学", "济南大学", "齐鲁工业大学", "济南市安全生产协会")
ENTERPRISE_HEADERS = ("企业名称", "统一社会信用代码", "行政区划代码", "行业", "地址", "法定代表人", "联系电话",
                      "经度", "纬度", "风险等级", "标准化等级", "信用等级")
INSPECTOR_HEADERS = ("姓名", "执法证号", "单位", "行政区划代码", "执法领域", "手机号", "回避企业", "人员类别")


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def _quotas(n: int, shares: dict[str, float]) -> list[str]:
    """Exactly n labels in proportion to `shares` (largest remainder), so every run has the same mix."""
    total = sum(shares.values())
    exact = {key: n * share / total for key, share in shares.items()}
    counts = {key: int(value) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: counts[k] - exact[k])[:n - sum(counts.values())]:
        counts[key] += 1
    return [key for key, count in counts.items() for _ in range(count)]


def _county_name(code: str) -> str:
    label = regions.name(code)
    if label is None or not regions.within(code, CITY):
        raise Problem("region.unknown", code=code)
    return label


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _unique(rng: random.Random, seen: set, make) -> str:
    while True:
        value = make(rng)
        if value not in seen:
            seen.add(value)
            return value


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


def _company_name(rng: random.Random, county: str, sector: str) -> str:
    # Firms in the outer districts and counties often carry the old county name (章丘…, 莱芜…).
    short = _county_name(county).rstrip("区县")
    prefix = rng.choice(("济南", "山东") if county in URBAN else ("济南", "济南", "山东", short))
    brand = "".join(rng.sample(BRAND, 2))
    return prefix + brand + rng.choice(SECTOR_WORDS[sector].split()) + _pick(rng, FORMS)


def _address(rng: random.Random, county: str) -> str:
    roads = COUNTIES[county][1].split()
    return f"济南市{_county_name(county)}{rng.choice(roads)}{rng.randint(1, 399)}号"


def _county_for(rng: random.Random, sector: str) -> str:
    allowed = SECTOR_COUNTIES.get(sector, tuple(COUNTIES))
    boost = COUNTY_BOOST.get(sector, {})
    return rng.choices(allowed, [COUNTIES[c][2] * boost.get(c, 1) for c in allowed])[0]


def enterprise_rows(n: int = 2400, seed: int = 1) -> list[dict]:
    """n enterprises spread over Jinan's counties; the same seed gives the same rows."""
    rng = random.Random(seed)
    plan = _quotas(n, SECTOR_SHARE)
    rng.shuffle(plan)
    names, codes, phones, rows = set(), set(), set(), []
    for sector in plan:
        county = _county_for(rng, sector)
        (lng0, lng1, lat0, lat1), group = COUNTIES[county][0], "high" if sector in HIGH_HAZARD else "other"
        phone = _unique(rng, phones, mobile if rng.random() < 0.75
                        else lambda r: f"0531-{r.choice('568')}{r.randrange(10 ** 7):07d}")
        rows.append({
            "企业名称": _unique(rng, names, lambda r: _company_name(r, county, sector)),
            "统一社会信用代码": _unique(rng, codes, lambda r: make_uscc(county, r)),
            "行政区划代码": county, "行业": sectors.label(sector), "地址": _address(rng, county),
            "法定代表人": person_name(rng), "联系电话": phone,
            "经度": f"{rng.uniform(lng0, lng1):.6f}", "纬度": f"{rng.uniform(lat0, lat1):.6f}",
            "风险等级": _pick(rng, RISK[group]), "标准化等级": _pick(rng, STD_LEVEL[group]),
            "信用等级": _pick(rng, CREDIT)})
    return rows


def _sector_list(rng: random.Random, first: str, extra: int) -> str:
    chosen = {first} | set(rng.choices(list(SECTOR_SHARE), list(SECTOR_SHARE.values()), k=extra))
    return "、".join(sectors.label(code) for code in sectors.codes() if code in chosen)


def _avoid(rng: random.Random, enterprises: list[dict], region: str) -> str:
    """0-2 local enterprises the person has an interest in (most people have none)."""
    count = _pick(rng, ((0, 70), (1, 20), (2, 10)))
    local = [e["统一社会信用代码"] for e in enterprises if regions.within(e["行政区划代码"], region)]
    return ";".join(rng.sample(local, min(count, len(local))))


def inspector_rows(enterprises: list[dict], n: int = 60, experts: int = 12, seed: int = 1) -> list[dict]:
    """n people: certified inspectors of the city and county bureaus, then `experts` experts."""
    if not 0 <= experts <= n:
        raise ValueError(f"experts must be between 0 and n ({n}), got {experts}")
    rng = random.Random(seed)
    officers, counties, every_sector = n - experts, list(COUNTIES), sectors.codes()
    certs, phones, rows = set(), set(), []
    for i in range(n):
        is_expert = i >= officers
        if is_expert:
            region, unit = CITY, rng.choice(EXPERT_UNITS)
        elif i < officers // 4:  # a quarter at the city bureau, the rest spread over the counties
            region, unit = CITY, CITY_BUREAU
        else:
            region = counties[i % len(counties)]
            unit = _county_name(region) + "应急管理局"
        cert = _unique(rng, certs, lambda r: ("ZJ" if is_expert else "") + region
                       + f"{r.randint(2015, 2024)}{r.randrange(10 ** 4):04d}")
        rows.append({
            "姓名": person_name(rng), "执法证号": cert, "单位": unit, "行政区划代码": region,
            "执法领域": _sector_list(rng, every_sector[i % len(every_sector)], rng.randint(0 if is_expert else 1, 3)),
            "手机号": _unique(rng, phones, mobile), "回避企业": _avoid(rng, enterprises, region),
            "人员类别": "专家" if is_expert else "执法人员"})
    return rows


def write_csv(rows: list[dict], path, headers=None) -> None:
    """Rows as CSV in UTF-8 with BOM (what Excel on Chinese Windows opens cleanly), to a path or binary stream."""
    headers = list(headers or (rows[0] if rows else ()))
    if not headers:
        raise ValueError("write_csv needs rows or headers")
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=headers, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    data = text.getvalue().encode("utf-8-sig")
    if hasattr(path, "write"):
        path.write(data)
    else:
        Path(path).write_bytes(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the demo registers of 济南市 as CSV files.")
    parser.add_argument("--out", required=True, type=Path, help="directory for enterprises.csv and inspectors.csv")
    parser.add_argument("--enterprises", type=int, default=2400)
    parser.add_argument("--inspectors", type=int, default=60)
    parser.add_argument("--experts", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    enterprises = enterprise_rows(args.enterprises, args.seed)
    write_csv(enterprises, args.out / "enterprises.csv", ENTERPRISE_HEADERS)
    write_csv(inspector_rows(enterprises, args.inspectors, args.experts, args.seed),
              args.out / "inspectors.csv", INSPECTOR_HEADERS)
    print(args.out / "enterprises.csv", args.out / "inspectors.csv")


if __name__ == "__main__":
    main()
