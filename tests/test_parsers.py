"""Parsers (rules/parsers/*): real examples, malformed forms, and properties over any text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.data import GONGAN_PREFIX_CHARS, ICP_PREFIX_CHARS, PROVINCE_CODES, REGIONS
from rules.normalize import compact, normalize, normalize_map
from rules.parsers.copyright import find_copyright, holder_matches
from rules.parsers.gongan import find_gongan
from rules.parsers.icp import find_b2, find_icp, parse_icp
from rules.parsers.licence import find_licences

# The grammar of docs/marks.md §1, written out independently of the parser.
STRICT_ICP = re.compile(
    rf"[{ICP_PREFIX_CHARS}川贵云甘]ICP备\d{{6,10}}号(?:-\d{{1,4}}[AXK]?)?"
    rf"|[{ICP_PREFIX_CHARS}川贵云甘]ICP证\d{{6}}号(?:-\d{{1,4}}[AXK]?)?")


@pytest.mark.parametrize(("text", "number", "kind", "region"), [
    ("京ICP备12345678号-1", "京ICP备12345678号-1", "site", "京"),
    ("备案号：粤ICP备11026717号", "粤ICP备11026717号", "subject", "粤"),
    ("皖ICP备020547号", "皖ICP备020547号", "subject", "皖"),
    ("沪ICP备2023020075号-1", "沪ICP备2023020075号-1", "site", "沪"),
    ("辽ICP备2023009191号-2A", "辽ICP备2023009191号-2A", "app", "辽"),
    ("湘ICP备2023022869号-3X", "湘ICP备2023022869号-3X", "miniprogram", "湘"),
    ("粤ICP备2024266252号-4K", "粤ICP备2024266252号-4K", "quickapp", "粤"),
    ("京ICP证030173号", "京ICP证030173号", "licence", "京"),
    ("陕 ICP 备 19000424 号 -2", "陕ICP备19000424号-2", "site", "陕"),
    ("黔ICP备20004760号-14", "黔ICP备20004760号-14", "site", "黔"),
])
def test_valid_icp_numbers(text: str, number: str, kind: str, region: str) -> None:
    found = find_icp(normalize(text))
    assert [(p.number, p.kind, p.region, p.valid) for p in found] == [(number, kind, region, True)]


@pytest.mark.parametrize("text", [
    "皖ICP备案号05002829", "湘ICP备案12345678号", "陇ICP备 05000593", "滇ICP备09010050-5号",
    "京ICP备21110142227", "ICP备12345678号", "京ICP备12345号",
])
def test_malformed_icp_numbers_are_kept_invalid(text: str) -> None:
    found = find_icp(normalize(text))
    assert len(found) == 1 and not found[0].valid


@pytest.mark.parametrize(("text", "status"), [
    ("萌ICP备20257012号", "unknown"), ("茶ICP备20240001号", "unknown"),
    ("川ICP备10200063号-1", "nonstandard"), ("甘ICP备14018586号", "nonstandard"),
    ("蜀ICP备09019425号", "ok"),
])
def test_icp_prefix_status(text: str, status: str) -> None:
    assert find_icp(text)[0].prefix_status == status


def test_traditional_and_fullwidth_forms_normalise() -> None:
    assert [p.number for p in find_icp(normalize("粵ICP備11018438號"))] == ["粤ICP备11018438号"]
    assert [p.number for p in find_icp(normalize("京ＩＣＰ备１２３４５６７８号－１"))] == \
        ["京ICP备12345678号-1"]
    assert compact("京ICP\u200b备1234\u00a05678号") == "京ICP备12345678号"


def test_normalize_map_points_back_to_the_input() -> None:
    raw = "京ＩＣＰ  备\u200b１２"
    norm, index = normalize_map(raw)
    assert norm == "京ICP 备12"
    assert [raw[i] for i in index][:4] == ["京", "Ｉ", "Ｃ", "Ｐ"]


@pytest.mark.parametrize(("text", "number", "region"), [
    ("粤B2-20090059", "粤B2-20090059", "粤"), ("浙B2-20080101-4", "浙B2-20080101-4", "浙"),
    ("增值电信业务经营许可证：B2-20080207", "B2-20080207", None),
    ("苏B2-20130048号", "苏B2-20130048号", "苏"),
])
def test_b2_licences(text: str, number: str, region: str | None) -> None:
    assert [(p.number, p.region) for p in find_b2(normalize(text))] == [(number, region)]


def test_other_licences_are_never_icp_numbers() -> None:
    text = normalize(
        "浙B2-20110446 浙网文[2015]0295-065号 浙-(经营性)-2017-0005 网站标识码3400000072")
    kinds = {lic.kind for lic in find_licences(text)}
    assert kinds == {"b2", "network_culture", "drug", "site_id"}
    assert find_icp(text) == []
    assert find_b2("浙D3-20210002") == []


@pytest.mark.parametrize(("text", "code", "valid", "legacy"), [
    ("京公网安备 11010502030143号", "11010502030143", True, False),
    ("京公网安备11010502053810", "11010502053810", True, False),
    ("京公网安备110402430044号", "110402430044", False, True),
    ("滇公网安备 5301110011230", "5301110011230", False, True),
    ("晋公网安备号：140110430070001", "140110430070001", False, True),
    ("南宁网警备4501200373号", "4501200373", False, True),
    ("赣公网安备 2021005743号", "2021005743", False, False),
    ("沪公网安备31011502009号", "31011502009", False, False),
    ("黑公网安备9999999999号", "9999999999", False, False),
])
def test_gongan_numbers(text: str, code: str, valid: bool, legacy: bool) -> None:
    found = find_gongan(normalize(text))
    assert [(g.code, g.valid, g.legacy) for g in found] == [(code, valid, legacy)]


def test_gongan_full_province_name_and_labels() -> None:
    g = find_gongan("河南公网安备 33010002000120号")[0]
    assert (g.prefix, g.region_code, g.code) == ("河南", "41", "33010002000120")
    assert find_gongan("公网安备案号：") == []


@pytest.mark.parametrize(("text", "holder", "years"), [
    ("Copyright©2002-2017 - 北京师范大学珠海分校 版权所有", "北京师范大学珠海分校",
     [2002, 2017]),
    ("版权所有：北京住房公积金管理中心", "北京住房公积金管理中心", []),
    ("Copyright © 2010-2015 WorldMall.cn 世界窗版权所有", "世界窗", [2010, 2015]),
    ("CopyRight © 2010-2015 Cxtuku.com All Rights Reserved.", "Cxtuku.com", [2010, 2015]),
    ("雨无声 版权所有◎2005-2010", "雨无声", [2005, 2010]),
    ("广州游行迹新媒体科技有限公司©", "广州游行迹新媒体科技有限公司", []),
    ("版权所有,保留一切权利。", None, []),
    ("Copyright . 2015 All rights reserved", None, [2015]),
    ("2011-2015 Copyrights reserved", None, [2011, 2015]),
    ("Copyright (c)2017 版权所有 长沙楼市数码科技有限公司 常年法律顾问:朱军",
     "长沙楼市数码科技有限公司", [2017]),
])
def test_copyright_lines(text: str, holder: str | None, years: list[int]) -> None:
    parsed = find_copyright(normalize(text))
    assert parsed is not None and (parsed.holder, parsed.years) == (holder, years)


def test_holder_matching() -> None:
    assert holder_matches("北京某某科技有限公司", "北京某某科技有限公司")
    assert holder_matches("江苏省某中心(江苏省某某中心)", "江苏省某中心")
    assert not holder_matches("世界窗", "深圳世界窗商贸有限公司")
    assert not holder_matches("Example.cn", "北京某某科技有限公司")


def test_parse_icp_single_number() -> None:
    assert parse_icp("京ICP备12345678号-1").valid
    assert parse_icp("粤B2-20090059-5").kind == "licence"
    assert parse_icp("hello") is None


# --- properties over any text

MARK_ALPHABET = st.sampled_from(list(
    "京粤蜀川萌ICP备案证号公网安警B2-—－ＩＣＰ０１２３４５６７８９"
    "0123456789AXK ：:©@◎()|\u200b\u3000"))
TEXTS = st.one_of(st.text(), st.text(alphabet=MARK_ALPHABET, max_size=60))


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_parsers_never_crash_and_never_accept_malformed(text: str) -> None:
    norm = normalize(text)
    for p in find_icp(norm):
        assert 0 <= p.start < p.end <= len(norm)
        if p.valid:
            assert STRICT_ICP.fullmatch(p.number), p.number
    for p in find_b2(norm):
        assert re.fullmatch(r"[\u3400-\u9fff]?B2-(?:19|20)\d{6}号?(?:-\d{1,4}[AXK]?)?",
                            p.number)
    for g in find_gongan(norm):
        if g.valid:
            assert g.code and len(g.code) == 14 and g.code.isdigit()
        if g.legacy and "网警备" not in g.number:
            assert g.code[:2] in PROVINCE_CODES
    find_licences(norm)
    parsed = find_copyright(norm)
    assert parsed is None or isinstance(parsed.years, list)


VALID_NUMBERS = st.builds(
    lambda prov, serial, seq: f"{prov}ICP备{serial}号" + (f"-{seq}" if seq else ""),
    st.sampled_from([r.icp for r in REGIONS]),
    st.from_regex(r"\A(?:\d{6}|\d{8}|20[12]\d{7})\Z", fullmatch=True),
    st.one_of(st.none(), st.integers(1, 999)),
)


@settings(max_examples=200, deadline=None)
@given(VALID_NUMBERS, st.sampled_from(["drop_hao", "bei_an", "suffix_first", "eleven", "vanity"]))
def test_malformed_variants_of_valid_numbers_are_rejected(number: str, how: str) -> None:
    assert find_icp(number)[0].valid
    if how == "drop_hao":
        bad = number.replace("号", "")
    elif how == "bei_an":
        bad = number.replace("ICP备", "ICP备案号")
    elif how == "suffix_first":
        bad = number.replace("号", "") + "号" if "-" in number else number.replace("号", "-1")
    elif how == "eleven":
        bad = re.sub(r"备\d+", "备" + "1" * 11, number)
    else:
        bad = "萌" + number[1:]
    assert not any(p.valid for p in find_icp(bad)), bad


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(GONGAN_PREFIX_CHARS), st.from_regex(r"\A\d{14}\Z", fullmatch=True))
def test_gongan_valid_only_with_fourteen_digits(prefix: str, code: str) -> None:
    assert find_gongan(f"{prefix}公网安备{code}号")[0].valid
    assert not find_gongan(f"{prefix}公网安备{code[:-3]}号")[0].valid


@pytest.mark.parametrize(("text", "holder"), [
    # the organisation named after the reservation, not the brand before it
    ("Copyright © 2014~2019 The Paper All rights reserved.上海某某报业有限公司",
     "上海某某报业有限公司"),
    # a Latin brand, then the company's Chinese name
    ("© 2019 , NoCode Tech. 无码某某（杭州）有限公司", "无码某某(杭州)有限公司"),
    # a Latin brand, then another footer item in Chinese
    ("©2010 Baidu 使用某某前必读", "Baidu"),
    # the words that say whose it is are not the name
    ("本网站由南方某某网版权所有,未经授权禁止复制", "南方某某网"),
    ("所有内容为西藏某某网版权所有", "西藏某某网"),
    # a name split in two between the copyright sign and 版权所有
    ("Copyright© 1998-2005 北京某某大学 中国某某研究中心 版权所有",
     "北京某某大学 中国某某研究中心"),
    # a Chinese name and its domain before 版权所有; in a Latin line the domain stays
    ("松花江某网 shjnet.cn 版权所有", "松花江某网"),
    ("Copyright © 2014财某电 cailaidian.cn All Rights Reserved 版权所有", "财某电 cailaidian.cn"),
    # a second copyright sign glued to the name starts another clause
    ("版权所有 中国某某新闻中心Copyright © China.org.cn. All Rights Reserved", "中国某某新闻中心"),
    ("® yndaily.com All Rights Reserved since 1999.11", "yndaily.com"),
    ("Copyright © 1997-2024 by www.people.com.cn. all rights reserved", "www.people.com.cn"),
    # template placeholders name no one
    ("Copyright Your WebSite.Some Rights Reserved.", None),
    ("深圳市某某区教育局 版权所有 备案序号:", "深圳市某某区教育局"),
])
def test_copyright_holder_patterns(text: str, holder: str | None) -> None:
    parsed = find_copyright(normalize(text))
    assert parsed is not None and parsed.holder == holder


def test_letter_spaced_chinese_is_read_as_words() -> None:
    text, index = normalize_map("人 民 某 股 份 有 限 公 司 版 权 所 有 ，未 经 授 权")
    assert text == "人民某股份有限公司版权所有 ,未经授权"
    assert len(index) == len(text)
    # ordinary spacing between words and around marks is kept
    spaced = "浙 ICP 备 17001234 号 -1 关于 我们"
    assert normalize_map(spaced)[0] == spaced


@pytest.mark.parametrize(("text", "code", "wording", "prefix"), [
    ("湘公安网备号43010402001234号", "43010402001234", "公安网备", "湘"),
    ("公安备案号11010502031234", "11010502031234", "公安备案", None),
    ("公安机关备案号：15081599004-00001", "15081599004", "公安机关备案", None),
    ("京公网安备案号：11010502031234号", "11010502031234", "公网安备案", "京"),
    ("网站公安备案号：33010602001234", "33010602001234", "公安备案", None),
    ("京公网安备 11010502031234号", "11010502031234", "公网安备", "京"),
])
def test_gongan_wordings(text: str, code: str, wording: str, prefix: str | None) -> None:
    found = find_gongan(normalize(text))
    assert [(g.code, g.wording, g.prefix) for g in found] == [(code, wording, prefix)]


@pytest.mark.parametrize(("text", "number", "valid"), [
    ("陕ICP备2021001234号-3Powered by", "陕ICP备2021001234号-3", True),
    ("京｜ICP备11021234号－17", "京ICP备11021234号-17", True),
    ("京ICP备12341234号-2APP", "京ICP备12341234号-2", True),
    ("版权所有|ICP备12345678号", "ICP备12345678号", False),
])
def test_icp_numbers_run_into_text_or_split_by_a_separator(text, number, valid) -> None:
    assert [(p.number, p.valid) for p in find_icp(normalize(text))] == [(number, valid)]


@pytest.mark.parametrize(("text", "number", "valid"), [
    ("ICP备案号：粤B-20051234", "粤B-20051234", False),
    ("经营许可证编号:滇B-2-4-20031234", "滇B-2-4-20031234", False),
    ("增值电信业务经营许可证 鄂 B2-20121234", "鄂B2-20121234", True),
    ("B-2024 2025", None, None),
])
def test_b2_licence_forms(text, number, valid) -> None:
    found = find_b2(normalize(text))
    assert [(p.number, p.valid) for p in found] == ([(number, valid)] if number else [])
