"""Reference data for the audit core: regions, link hosts, thresholds.

Everything the rules know about provinces and link targets lives here as data (docs/marks.md §2,
docs/sources.md §11), so a correction is one edit and the regex character classes are
generated from the table instead of being typed into patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "COPYRIGHT_PLACEHOLDERS",
    "COPYRIGHT_STALE_YEARS",
    "GONGAN_HOST_CURRENT",
    "GONGAN_HOST_LEGACY",
    "GONGAN_LEGACY_SINCE",
    "GONGAN_PREFIX_CHARS",
    "GOV_BADGE_HOST_SUFFIX",
    "GOV_BADGE_WORDS",
    "GOV_HOST_SUFFIXES",
    "GOV_PROFILE",
    "GOV_SITE_CODE",
    "ICP_NONSTANDARD",
    "ICP_PREFIX_CHARS",
    "MIIT_HOST",
    "MIIT_RETIRED_HOSTS",
    "PROVINCE_CODES",
    "REGIONS",
    "TRADITIONAL",
    "Region",
    "RetiredHost",
    "region_by_code",
    "region_by_gongan_prefix",
    "region_by_icp_prefix",
    "resolve_province",
]


@dataclass(frozen=True)
class Region:
    name: str  # 北京
    icp: str  # ICP abbreviation, 京
    gongan: str  # canonical 公安 abbreviation
    code: str  # GB/T 2260 province code, "11"
    gongan_variants: tuple[str, ...] = ()  # accepted with an advisory (蜀 for 51, ...)
    icp_nonstandard: str | None = None  # common display error before ICP (川 for 蜀)
    full_names: tuple[str, ...] = ()  # 北京市, 广西壮族自治区, ...


REGIONS: tuple[Region, ...] = (
    Region("北京", "京", "京", "11", full_names=("北京市",)),
    Region("天津", "津", "津", "12", full_names=("天津市",)),
    Region("河北", "冀", "冀", "13", full_names=("河北省",)),
    Region("山西", "晋", "晋", "14", full_names=("山西省",)),
    Region("内蒙古", "蒙", "蒙", "15", full_names=("内蒙古自治区",)),
    Region("辽宁", "辽", "辽", "21", full_names=("辽宁省",)),
    Region("吉林", "吉", "吉", "22", full_names=("吉林省",)),
    Region("黑龙江", "黑", "黑", "23", full_names=("黑龙江省",)),
    Region("上海", "沪", "沪", "31", full_names=("上海市",)),
    Region("江苏", "苏", "苏", "32", full_names=("江苏省",)),
    Region("浙江", "浙", "浙", "33", full_names=("浙江省",)),
    Region("安徽", "皖", "皖", "34", full_names=("安徽省",)),
    Region("福建", "闽", "闽", "35", full_names=("福建省",)),
    Region("江西", "赣", "赣", "36", full_names=("江西省",)),
    Region("山东", "鲁", "鲁", "37", full_names=("山东省",)),
    Region("河南", "豫", "豫", "41", full_names=("河南省",)),
    Region("湖北", "鄂", "鄂", "42", full_names=("湖北省",)),
    Region("湖南", "湘", "湘", "43", full_names=("湖南省",)),
    Region("广东", "粤", "粤", "44", full_names=("广东省",)),
    Region("广西", "桂", "桂", "45", full_names=("广西壮族自治区",)),
    Region("海南", "琼", "琼", "46", full_names=("海南省",)),
    Region("重庆", "渝", "渝", "50", full_names=("重庆市",)),
    Region("四川", "蜀", "川", "51", ("蜀",), "川", ("四川省",)),
    Region("贵州", "黔", "贵", "52", ("黔",), "贵", ("贵州省",)),
    Region("云南", "滇", "滇", "53", ("云",), "云", ("云南省",)),
    Region("西藏", "藏", "藏", "54", full_names=("西藏自治区",)),
    Region("陕西", "陕", "陕", "61", full_names=("陕西省",)),
    Region("甘肃", "陇", "甘", "62", (), "甘", ("甘肃省",)),
    Region("青海", "青", "青", "63", full_names=("青海省",)),
    Region("宁夏", "宁", "宁", "64", full_names=("宁夏回族自治区",)),
    Region("新疆", "新", "新", "65", full_names=("新疆维吾尔自治区",)),
)

_BY_ICP = {r.icp: r for r in REGIONS}
_BY_NONSTANDARD = {r.icp_nonstandard: r for r in REGIONS if r.icp_nonstandard}
_BY_CODE = {r.code: r for r in REGIONS}
_BY_GONGAN: dict[str, Region] = {}
for _r in REGIONS:
    _BY_GONGAN.setdefault(_r.gongan, _r)
for _r in REGIONS:
    for _v in _r.gongan_variants:
        _BY_GONGAN.setdefault(_v, _r)

ICP_PREFIX_CHARS = "".join(r.icp for r in REGIONS)
ICP_NONSTANDARD = "".join(_BY_NONSTANDARD)  # 川贵云甘: display errors, not vanity prefixes
GONGAN_PREFIX_CHARS = "".join(_BY_GONGAN)
PROVINCE_CODES = frozenset(_BY_CODE)

# Traditional forms seen in real marks (docs/sources.md §2.7): generic characters and provinces.
TRADITIONAL = {
    "備": "备", "號": "号", "證": "证", "粵": "粤", "滬": "沪", "遼": "辽", "蘇": "苏", "閩": "闽",
    "贛": "赣", "魯": "鲁", "瓊": "琼", "隴": "陇", "寧": "宁", "陝": "陕", "晉": "晋", "貴": "贵",
    "雲": "云", "權": "权", "網": "网", "衛": "卫", "經": "经", "許": "许", "營": "营",
}

MIIT_HOST = "beian.miit.gov.cn"


@dataclass(frozen=True)
class RetiredHost:
    host: str
    since: str  # when it stopped serving, for "stale since ..." messages
    since_year: int
    since_zh: str = ""


MIIT_RETIRED_HOSTS: dict[str, RetiredHost] = {
    "www.miibeian.gov.cn": RetiredHost("www.miibeian.gov.cn", "2019", 2019, "2019 年"),
    "miibeian.gov.cn": RetiredHost("miibeian.gov.cn", "2019", 2019, "2019 年"),
    "www.miitbeian.gov.cn": RetiredHost("www.miitbeian.gov.cn", "end of 2019", 2019, "2019 年底"),
    "miitbeian.gov.cn": RetiredHost("miitbeian.gov.cn", "end of 2019", 2019, "2019 年底"),
    "www.beian.miit.gov.cn": RetiredHost("www.beian.miit.gov.cn", "about August 2020", 2020,
                                         "约 2020 年 8 月"),
}

GONGAN_HOST_CURRENT = "beian.mps.gov.cn"
GONGAN_HOST_LEGACY = ("www.beian.gov.cn", "beian.gov.cn")  # legacy since about November 2023
GONGAN_LEGACY_SINCE = "about November 2023"
# The national platform's code: 14 digits, the division code first (GB/T 2260).
GONGAN_CODE = re.compile(r"[0-9]{14}")  # use fullmatch

# A copyright year older than (this year - N) is stale: "before last year" (docs/marks.md §3).
COPYRIGHT_STALE_YEARS = 1
# Plausible years for a 10-digit subject serial (docs/sources.md §2.3).
ICP_FIRST_YEAR_10_DIGITS = 1999
# 8-digit serials whose YY is at least this are probably a 10-digit number missing "20".
ICP_SUSPICIOUS_YY_8_DIGITS = 21
# Party and government sites (国办发〔2017〕47号 政府网站发展指引; docs/sources.md §10): the
# 网站标识码 and the 党政机关网站标识 badge at the bottom centre of every page.
GOV_PROFILE = "government"
GOV_HOST_SUFFIXES = (".gov.cn",)  # the profile is on by default for these hosts
# 网站标识码: a local site is its 6-digit division code plus a 4-digit serial (1400000045); a
# State Council department's is `bm` plus 8 digits (bm01000001).
GOV_SITE_CODE = r"(?:\d{6}\d{4}|bm\d{8})"
# The badge links to the identification service (bszs.conac.cn) or is written by its script
# (dcs.conac.cn, a `_ideConac` span).
GOV_BADGE_HOST_SUFFIX = "conac.cn"
GOV_BADGE_WORDS = ("党政机关", "政府网站标识", "事业单位", "_ideConac", "conac")

# Template placeholders that name no one, compared lower-case without spaces and dots.
COPYRIGHT_PLACEHOLDERS = frozenset({
    "yourwebsite", "yoursite", "yourcompany", "yourname", "companyname", "sitename", "examplecom",
    "公司名称", "网站名称", "某某公司", "xxx公司", "xxx",
})
# Provinces whose bureau requires a copyright line naming the subject (江苏).
COPYRIGHT_REQUIRED_PROVINCES = frozenset({"苏"})
# Guangdong asks for the subject number without -n.
SUBJECT_NUMBER_PROVINCES = frozenset({"粤"})


def region_by_icp_prefix(ch: str | None) -> Region | None:
    """The region of an ICP prefix, accepting the nonstandard 川/贵/云/甘 as their province."""
    if not ch:
        return None
    return _BY_ICP.get(ch) or _BY_NONSTANDARD.get(ch)


def region_by_gongan_prefix(prefix: str | None) -> Region | None:
    """The region of a 公安 prefix: one character, or a full province name (河南, 河南省)."""
    if not prefix:
        return None
    if prefix in _BY_GONGAN:
        return _BY_GONGAN[prefix]
    return _by_name(prefix)


def region_by_code(code: str | None) -> Region | None:
    return _BY_CODE.get(code[:2]) if code and len(code) >= 2 else None


def _by_name(name: str) -> Region | None:
    for r in REGIONS:
        if name == r.name or name in r.full_names:
            return r
    return None


def resolve_province(value: str | None) -> Region | None:
    """An expectation's province: a name (广东, 广东省), an ICP abbreviation (粤) or a code (44)."""
    if not value:
        return None
    value = value.strip()
    return _BY_ICP.get(value) or _by_name(value) or _BY_CODE.get(value[:2]) \
        or _BY_NONSTANDARD.get(value)
