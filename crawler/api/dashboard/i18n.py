"""The dashboard's words in Chinese (the default) and English.

A page asks for a word with `t("key")`; the language is the `lang` query parameter, else the
`lang` cookie it leaves, else Chinese. A key missing from the table is a programming error
(KeyError in the tests), never an empty label.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["LANGUAGES", "WORDS", "choose_language", "translator"]

LANGUAGES = ("zh", "en")

# key: (中文, English)
WORDS: dict[str, tuple[str, str]] = {
    "title": ("页脚合规看板", "Footer compliance dashboard"),
    "overview": ("总览", "Overview"),
    "waivers": ("豁免", "Waivers"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "signed_in_as": ("当前令牌", "Signed in as"),
    "open_mode": ("只读（本机开放）", "Read-only (open on this machine)"),
    "token": ("令牌", "Token"),
    "token_help": ("由 footer-audit token create 生成的令牌", "A token from footer-audit token "
                   "create"),
    "bad_token": ("令牌无效或已吊销", "Unknown or revoked token"),
    "organisation": ("单位", "Organisation"),
    "organisations": ("单位", "Organisations"),
    "sites": ("网站", "Sites"),
    "site": ("网站", "Site"),
    "owner": ("负责人", "Owner"),
    "owners": ("负责人", "Owners"),
    "clean": ("合规", "Clean"),
    "warnings": ("警告", "Warnings"),
    "errors": ("错误", "Errors"),
    "review": ("待人工复核", "Needs review"),
    "unreachable": ("无法访问", "Unreachable"),
    "by_rule": ("按规则统计", "Counts by rule"),
    "rule": ("规则", "Rule"),
    "severity": ("严重程度", "Severity"),
    "violations": ("违规", "Violations"),
    "open_violations": ("未解决违规", "Open violations"),
    "trend": ("近期夜间巡检的未解决违规", "Open violations over the last nightly runs"),
    "trend_runs": ("次巡检", "runs"),
    "no_runs": ("尚无巡检记录。", "No runs stored yet."),
    "no_sites": ("没有网站。", "No sites."),
    "changes": ("与前一晚相比的变化", "Changes since the night before"),
    "new": ("新增", "New"),
    "regressed": ("复发", "Regressed"),
    "fixed": ("已修复", "Fixed"),
    "waived": ("已豁免", "Waived"),
    "still_open": ("仍未修复", "Still open"),
    "unverified": ("消失但未能审核", "Gone, not verified"),
    "expiring": ("即将到期的豁免", "Waivers about to expire"),
    "none": ("无", "None"),
    "latest": ("最新结果", "Latest findings"),
    "findings": ("识别到的标识", "Findings"),
    "pages": ("页面", "Pages"),
    "page": ("页面", "Page"),
    "status": ("状态", "Status"),
    "evidence": ("证据", "Evidence"),
    "screenshot": ("页脚截图", "Footer screenshot"),
    "html_snippet": ("HTML 片段", "HTML snippet"),
    "redirects": ("重定向链", "Redirect chain"),
    "fix": ("修改建议", "Fix"),
    "compliant_footer": ("合规页脚示例", "A compliant footer"),
    "history": ("历史", "History"),
    "recrawl": ("重新巡检", "Crawl again"),
    "crawl_queued": ("已加入巡检队列：", "Crawl queued: "),
    "crawls": ("最近的巡检任务", "Recent crawls"),
    "run": ("巡检", "Run"),
    "runs": ("巡检记录", "Runs"),
    "started": ("开始", "Started"),
    "finished": ("结束", "Finished"),
    "trigger": ("触发方式", "Trigger"),
    "summary": ("摘要", "Summary"),
    "diff": ("与上一次巡检的差异", "Diff against the previous run"),
    "against": ("对比", "Against"),
    "no_previous": ("没有更早的已完成巡检。", "No earlier finished run."),
    "not_compared": ("未比较（仅一方审核的网站）", "Not compared (sites audited by one run only)"),
    "exports": ("导出", "Exports"),
    "exports_org": ("导出包含所有单位，仅限不受单位限制的令牌。",
                    "Exports hold every organisation: only for tokens not restricted to one."),
    "create_waiver": ("新建豁免", "Create a waiver"),
    "site_or_url": ("网站、网址或 *.域名", "Site, URL or *.domain"),
    "reason": ("原因", "Reason"),
    "expiry": ("到期日", "Expiry"),
    "create": ("创建", "Create"),
    "withdraw": ("撤销", "Withdraw"),
    "active": ("生效中", "Active"),
    "expired": ("已过期", "Expired"),
    "created": ("创建于", "Created"),
    "who_waived": ("谁豁免了什么", "Who waived what"),
    "needs_admin": ("需要 admin 令牌。", "Needs an admin token."),
    "not_found": ("未找到。", "Not found."),
    "forbidden": ("无权访问。", "Not allowed."),
    "csrf": ("表单已过期，请重试。", "The form expired; try again."),
    "waiver_saved": ("豁免已保存。", "Waiver saved."),
    "waiver_removed": ("豁免已撤销。", "Waiver withdrawn."),
    "bad_waiver": ("豁免不完整：", "Incomplete waiver: "),
    "more": ("还有", "more"),
    "lang_switch": ("English", "中文"),
    "count": ("数量", "Count"),
}


def choose_language(query: str | None, cookie: str | None) -> str:
    for value in (query, cookie):
        if value in LANGUAGES:
            return value
    return "zh"


def translator(lang: str) -> Callable[[str], str]:
    index = LANGUAGES.index(lang)

    def t(key: str) -> str:
        return WORDS[key][index]

    return t
