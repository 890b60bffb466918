"""Messages for results that are not violations: the `needs_review` reasons, in both languages."""

from __future__ import annotations

from typing import Any

__all__ = ["PAGE_REVIEW_REASONS", "REVIEW_MESSAGES", "fill", "review_message"]

REVIEW_MESSAGES: dict[str, tuple[str, str]] = {
    "number_only_in_image": (
        "a filing link shows only an image without alt text; the number cannot be read",
        "备案链接只有图片且无 alt 文字，无法读取备案号"),
    "cross_origin_iframe": (
        "the footer loads a cross-origin iframe ({src}) and shows no marks of its own",
        "页脚嵌入跨域 iframe（{src}），页面本身未显示备案标识"),
    "render_timeout": (
        "rendering timed out; audited from its static HTML, the footer may be incomplete and its "
        "layout is unchecked",
        "页面渲染超时，已按静态 HTML 审核，页脚可能不完整，未检查布局"),
    "render_crashed": (
        "the page crashed the browser twice while rendering; audited from its static HTML, "
        "its layout unchecked",
        "页面渲染时两次导致浏览器崩溃，已按静态 HTML 审核，未检查布局"),
    "charset_garbled": (
        "the page declares no charset and the browser shows its text garbled; its HTML holds "
        "{marks} (see charset_undeclared_marks_garbled)",
        "页面未声明字符集，浏览器显示为乱码；页面 HTML 中有 {marks}"
        "（见 charset_undeclared_marks_garbled）"),
    "no_layout_data": (
        "the page was rendered but carries no layout data for the mark",
        "页面已渲染但缺少该标识的布局数据"),
}


# Fetcher reasons that leave the whole page undecided, whatever marks its HTML shows.
PAGE_REVIEW_REASONS = frozenset({"render_crashed", "render_timeout"})


class _Default(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def fill(template: str, params: dict[str, Any]) -> str:
    """Fill `{name}` placeholders; a missing parameter prints as `?` instead of failing."""
    try:
        return template.format_map(_Default(params))
    except (ValueError, IndexError, AttributeError):
        return template


def review_message(reason: str, params: dict[str, Any]) -> tuple[str, str]:
    en, zh = REVIEW_MESSAGES.get(reason, (f"could not decide: {reason}", f"无法判定：{reason}"))
    return fill(en, params), fill(zh, params)
