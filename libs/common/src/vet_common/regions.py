"""Administrative region codes (行政区划代码): validation, jurisdiction prefixes and names."""

from __future__ import annotations

import os
import unicodedata
from typing import Literal

Level = Literal["province", "city", "county", "township", "village"]

# A 12-digit statistical code is province 2, city 2, county 2, township 3, village 3 digits;
# these are the lengths of the significant prefixes that name one region at each level.
LEVEL_LENGTHS: dict[int, Level] = {2: "province", 4: "city", 6: "county", 9: "township", 12: "village"}
_GROUP_ENDS = (2, 4, 6, 9, 12)


class InvalidRegion(ValueError):
    """A region code or jurisdiction that cannot be right; the message says what to fix."""


PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip

# Municipalities group their districts under "市辖区" (01) and their counties under "县" (02);
# those groupings are not places, so full names leave them out.
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})

# Cities and counties of the regions the seed documents come from, GB/T 2260 as published by the
# National Bureau of Statistics for 2023. Provinces in _COMPLETE_PROVINCES and cities in
# _COMPLETE_CITIES are listed in full, so a code under them that is not listed is a typo.
_CITIES: dict[str, str] = {
    # 浙江省
    "3301": "杭州市", "3302": "宁波市", "3303": "温州市", "3304": "嘉兴市", "3305": "湖州市",
    "3306": "绍兴市", "3307": "金华市", "3308": "衢州市", "3309": "舟山市", "3310": "台州市",
    "3311": "丽水市",
    # 福建省
    "3501": "福州市", "3502": "厦门市", "3503": "莆田市", "3504": "三明市", "3505": "泉州市",
    "3506": "漳州市", "3507": "南平市", "3508": "龙岩市", "3509": "宁德市",
    # 广东省
    "4401": "广州市", "4402": "韶关市", "4403": "深圳市", "4404": "珠海市", "4405": "汕头市",
    "4406": "佛山市", "4407": "江门市", "4408": "湛江市", "4409": "茂名市", "4412": "肇庆市",
    "4413": "惠州市", "4414": "梅州市", "4415": "汕尾市", "4416": "河源市", "4417": "阳江市",
    "4418": "清远市", "4419": "东莞市", "4420": "中山市", "4451": "潮州市", "4452": "揭阳市",
    "4453": "云浮市",
    # 重庆市
    "5001": "市辖区", "5002": "县",
}  # fmt: skip

_COUNTIES: dict[str, str] = {
    # 丽水市
    "331102": "莲都区", "331121": "青田县", "331122": "缙云县", "331123": "遂昌县", "331124": "松阳县",
    "331125": "云和县", "331126": "庆元县", "331127": "景宁畲族自治县", "331181": "龙泉市",
    # 福州市
    "350102": "鼓楼区", "350103": "台江区", "350104": "仓山区", "350105": "马尾区", "350111": "晋安区",
    "350112": "长乐区", "350121": "闽侯县", "350122": "连江县", "350123": "罗源县", "350124": "闽清县",
    "350125": "永泰县", "350128": "平潭县", "350181": "福清市",
    # 厦门市
    "350203": "思明区", "350205": "海沧区", "350206": "湖里区", "350211": "集美区", "350212": "同安区",
    "350213": "翔安区",
    # 莆田市
    "350302": "城厢区", "350303": "涵江区", "350304": "荔城区", "350305": "秀屿区", "350322": "仙游县",
    # 三明市 (梅列区 and the old 三元区 merged into 350404 in 2021)
    "350404": "三元区", "350405": "沙县区", "350421": "明溪县", "350423": "清流县", "350424": "宁化县",
    "350425": "大田县", "350426": "尤溪县", "350428": "将乐县", "350429": "泰宁县", "350430": "建宁县",
    "350481": "永安市",
    # 泉州市
    "350502": "鲤城区", "350503": "丰泽区", "350504": "洛江区", "350505": "泉港区", "350521": "惠安县",
    "350524": "安溪县", "350525": "永春县", "350526": "德化县", "350527": "金门县", "350581": "石狮市",
    "350582": "晋江市", "350583": "南安市",
    # 漳州市
    "350602": "芗城区", "350603": "龙文区", "350604": "龙海区", "350605": "长泰区", "350622": "云霄县",
    "350623": "漳浦县", "350624": "诏安县", "350626": "东山县", "350627": "南靖县", "350628": "平和县",
    "350629": "华安县",
    # 南平市
    "350702": "延平区", "350703": "建阳区", "350721": "顺昌县", "350722": "浦城县", "350723": "光泽县",
    "350724": "松溪县", "350725": "政和县", "350781": "邵武市", "350782": "武夷山市", "350783": "建瓯市",
    # 龙岩市
    "350802": "新罗区", "350803": "永定区", "350821": "长汀县", "350823": "上杭县", "350824": "武平县",
    "350825": "连城县", "350881": "漳平市",
    # 宁德市
    "350902": "蕉城区", "350921": "霞浦县", "350922": "古田县", "350923": "屏南县", "350924": "寿宁县",
    "350925": "周宁县", "350926": "柘荣县", "350981": "福安市", "350982": "福鼎市",
    # 珠海市
    "440402": "香洲区", "440403": "斗门区", "440404": "金湾区",
    # 重庆市 市辖区
    "500101": "万州区", "500102": "涪陵区", "500103": "渝中区", "500104": "大渡口区", "500105": "江北区",
    "500106": "沙坪坝区", "500107": "九龙坡区", "500108": "南岸区", "500109": "北碚区", "500110": "綦江区",
    "500111": "大足区", "500112": "渝北区", "500113": "巴南区", "500114": "黔江区", "500115": "长寿区",
    "500116": "江津区", "500117": "合川区", "500118": "永川区", "500119": "南川区", "500120": "璧山区",
    "500151": "铜梁区", "500152": "潼南区", "500153": "荣昌区", "500154": "开州区", "500155": "梁平区",
    "500156": "武隆区",
    # 重庆市 县
    "500229": "城口县", "500230": "丰都县", "500231": "垫江县", "500233": "忠县", "500235": "云阳县",
    "500236": "奉节县", "500237": "巫山县", "500238": "巫溪县", "500240": "石柱土家族自治县",
    "500241": "秀山土家族苗族自治县", "500242": "酉阳土家族苗族自治县", "500243": "彭水苗族土家族自治县",
}  # fmt: skip

# A few townships the seeds and the demo data mention; townships are not validated against a list.
_TOWNSHIPS: dict[str, str] = {
    "350102001": "鼓东街道", "350102002": "鼓西街道", "350102003": "温泉街道", "350102004": "东街街道",
    "350102005": "南街街道", "350102006": "安泰街道", "350102007": "华大街道", "350102008": "水部街道",
    "350102009": "五凤街道", "350102100": "洪山镇",
    "500110113": "永新镇", "500113103": "界石镇",
}  # fmt: skip

_NAMES: dict[str, str] = {**PROVINCES, **_CITIES, **_COUNTIES, **_TOWNSHIPS}
_COMPLETE_PROVINCES = frozenset({"33", "35", "44", "50"})
_COMPLETE_CITIES = frozenset({"3311", *(f"35{n:02d}" for n in range(1, 10)), "4404", "5001", "5002"})
# Cities with no county level: their townships sit directly under county code 00 (东莞 441900003...).
_CITIES_WITHOUT_COUNTIES = frozenset({"4419", "4420", "4604"})


def normalize_region_code(code: str) -> str:
    """Strip blanks and turn full-width digits (from Chinese input methods) into ASCII."""
    return "".join(unicodedata.normalize("NFKC", str(code)).split())


def _groups(code: str) -> list[str]:
    starts = (0, *_GROUP_ENDS[:-1])
    return [code[start:end] for start, end in zip(starts, _GROUP_ENDS, strict=True)]


def _significant(code12: str) -> str:
    """The code without its trailing all-zero groups: the prefix that names the region."""
    end = 0
    for group_end, group in zip(_GROUP_ENDS, _groups(code12), strict=True):
        if int(group):
            end = group_end
    return code12[:end]


def validate_region_code(code: str) -> str:
    """Return the normalized 12-digit code, or raise InvalidRegion saying what is wrong.

    Rules: 12 digits; a known province; below a zero group everything is zero (a county code of 00
    is allowed only in the cities that have no counties); and where this module lists every city of
    a province or every county of a city, the city or county must be one of them. Elsewhere any
    structurally valid code is accepted, because we do not carry the whole national table.
    """
    value = normalize_region_code(code)
    if len(value) != 12 or not value.isdigit():
        raise InvalidRegion(
            f"行政区划代码应为 12 位数字，收到 “{code}” (region code must be 12 digits, e.g. 350102001001)"
        )
    province, city, county, township, village = _groups(value)
    if province not in PROVINCES:
        raise InvalidRegion(f"行政区划代码前两位 {province} 不是省级代码，请核对 (unknown province code {province})")
    if city == "00" and int(value[4:]):
        raise InvalidRegion(f"行政区划代码 {value} 缺少市级代码，请核对 (city part is 00 but lower parts are not)")
    if county == "00" and int(value[6:]) and value[:4] not in _CITIES_WITHOUT_COUNTIES:
        raise InvalidRegion(f"行政区划代码 {value} 缺少县级代码，请核对 (county part is 00 but lower parts are not)")
    if township == "000" and village != "000":
        raise InvalidRegion(f"行政区划代码 {value} 缺少乡镇级代码，请核对 (township part is 000 but village is not)")
    if city != "00" and province in _COMPLETE_PROVINCES and value[:4] not in _CITIES:
        raise InvalidRegion(f"{PROVINCES[province]}没有代码为 {value[:4]} 的市，请核对 (no such city: {value[:4]})")
    if county != "00" and value[:4] in _COMPLETE_CITIES and value[:6] not in _COUNTIES:
        raise InvalidRegion(
            f"代码 {value[:6]} 不是{full_name(value[:4])}下属的县区，请核对 (no such county: {value[:6]})"
        )
    return value


def jurisdiction_prefix(code: str) -> str:
    """The significant prefix of a code or prefix: 350102000000 -> 350102, 3500 -> 35."""
    value = normalize_region_code(code)
    if len(value) in LEVEL_LENGTHS and value.isdigit():
        value = value.ljust(12, "0")
    return _significant(validate_region_code(value))


def validate_jurisdiction(prefix: str) -> str:
    """Check a jurisdiction (2, 4, 6, 9 or 12 significant digits) and return it in canonical form."""
    value = normalize_region_code(prefix)
    if len(value) not in LEVEL_LENGTHS or not value.isdigit():
        raise InvalidRegion(
            f"辖区代码应为 2、4、6、9 或 12 位数字，收到 “{prefix}” "
            "(jurisdiction must be 2, 4, 6, 9 or 12 digits, e.g. 35, 3501, 350102)"
        )
    canonical = jurisdiction_prefix(value)
    if not canonical:
        raise InvalidRegion(f"辖区代码 “{prefix}” 全为 0 (jurisdiction cannot be all zeros)")
    return canonical


def is_within(code: str, prefix: str) -> bool:
    """Whether a region code lies inside a jurisdiction. Fixed-width groups make this a string prefix test."""
    value = normalize_region_code(code)
    scope = normalize_region_code(prefix)
    if not value.isdigit() or len(value) not in LEVEL_LENGTHS or (scope and not scope.isdigit()):
        return False
    if len(scope) in LEVEL_LENGTHS:
        # "350100" and "3501" are the same jurisdiction; compare significant prefixes.
        scope = _significant(scope.ljust(12, "0"))
    return value.startswith(scope)


def level_of(prefix: str) -> Level:
    """The level a code or prefix names: 35 province, 350102 county, 350102001001 village."""
    significant = jurisdiction_prefix(prefix)
    if not significant:
        raise InvalidRegion("行政区划代码全为 0 (region code cannot be all zeros)")
    return LEVEL_LENGTHS[len(significant)]


def parent_of(prefix: str) -> str | None:
    """The jurisdiction one level up (350102 -> 3501, 441900003 -> 4419), None for a province."""
    significant = jurisdiction_prefix(prefix)
    ends = [end for end in _GROUP_ENDS if end < len(significant)]
    if not ends:
        return None
    return _significant(significant[: ends[-1]].ljust(12, "0"))


def _chain(code: str) -> list[str]:
    """The significant prefixes of every level from the province down to the code itself."""
    significant = jurisdiction_prefix(code)
    groups = _groups(significant.ljust(12, "0"))
    # A zero group in the middle (东莞's county 00) is not a level of its own.
    return [
        significant[:end]
        for end, group in zip(_GROUP_ENDS, groups, strict=True)
        if end <= len(significant) and int(group)
    ]


def name_of(code: str) -> str | None:
    """The name of the region a code or prefix names, when this module knows it."""
    try:
        return _NAMES.get(jurisdiction_prefix(code))
    except InvalidRegion:
        return None


def full_name(code: str) -> str | None:
    """Names from the province down: "福建省 福州市 鼓楼区"; None if the province is unknown."""
    try:
        chain = _chain(code)
    except InvalidRegion:
        return None
    names = [
        _NAMES[prefix]
        for prefix in chain
        if prefix in _NAMES and not (len(prefix) == 4 and prefix[:2] in MUNICIPALITIES)
    ]
    return " ".join(names) or None


def common_jurisdiction(codes: list[str]) -> str:
    """The narrowest jurisdiction that contains every code (a county for two townships of it)."""
    shared = os.path.commonprefix(codes)  # noqa: RUF071 - character by character is what region codes need
    for length in sorted(LEVEL_LENGTHS, reverse=True):
        if len(shared) >= length:
            return shared[:length]
    return ""
