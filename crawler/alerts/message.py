"""The alert's words, in Chinese: the counts, each owner's worst items, the link to the report.

One `Message` per channel: the owners that channel serves, in one text (chat robots limit how
many messages a minute they take). `markdown` is for robots that render it (DingTalk, WeCom),
`text` for the rest (Feishu/Lark text, e-mail), `to_json` for webhooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.alerts.changes import ALERT_KINDS, OwnerChanges, RunChanges

__all__ = ["KIND_ZH", "Message", "build_message"]

KIND_ZH = {"regressed": "复发", "new": "新增", "unreachable": "无法访问",
           "waiver_lapsed": "豁免到期", "fixed": "已修复"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
_MAX_TEXT = 3500  # characters: well inside every robot's limit (DingTalk 20,000 bytes)


def _counts_line(counts: dict[str, int]) -> str:
    return " · ".join(f"{KIND_ZH[k]} {counts[k]}" for k in ALERT_KINDS if counts.get(k))


def _item_line(item: Any) -> str:
    label = KIND_ZH[item.kind]
    if item.kind == "unreachable":
        return f"[{label}] {item.site}：本次无法抓取（{item.url}）"
    severity = SEVERITY_ZH.get(item.severity, item.severity)
    what = item.message_zh or item.code
    evidence = f"「{item.evidence[:60]}」" if item.evidence else ""
    return f"[{label}·{severity}] {item.site} {item.code}：{what}{evidence}（{item.url}）"


def _markdown(lines: list[str]) -> str:
    """Paragraphs apart (robots' markdown joins single line breaks), list items together."""
    out = ""
    for line in (x for x in lines if x):
        if out:
            out += "\n" if line.startswith("- ") and out.rsplit("\n", 1)[-1].startswith("- ") \
                else "\n\n"
        out += line
    return out


@dataclass
class Message:
    title: str
    markdown: str
    text: str
    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {**self.payload, "title": self.title, "text": self.text}


def build_message(changes: RunChanges, owners: list[OwnerChanges], link: str | None, *,
                  sample: bool = False) -> Message:
    counts = changes.counts(owners)
    prefix = "【测试】" if sample else ""
    title = f"{prefix}备案标识巡检：{changes.portfolio} 有 {sum(counts.values())} 项变化"
    head = [f"运行 {changes.run_id}"
            + (f"，与 {changes.against} 相比" if changes.against else "（首次运行）"),
            _counts_line(counts)]
    if changes.status != "finished":
        head.append(f"注意：本次运行未完成（{changes.note or changes.status}），结果不全。")
    md = [f"### {title}", *head]
    text = [title, *head]
    for group in sorted(owners, key=lambda g: (-g.counts.get("regressed", 0),
                                               -g.counts.get("new", 0), g.owner)):
        orgs = "、".join(sorted(group.orgs))
        heading = f"负责人 {group.owner}" + (f"（{orgs}）" if orgs and orgs != group.owner else "")
        md += ["", f"**{heading}**：{_counts_line(group.counts)}"]
        text += ["", f"{heading}：{_counts_line(group.counts)}"]
        for item in group.worst:
            md.append(f"- {_item_line(item)}")
            text.append(f"- {_item_line(item)}")
        hidden = group.total - len(group.worst)
        if hidden > 0:
            md.append(f"- 另有 {hidden} 项未列出")
            text.append(f"- 另有 {hidden} 项未列出")
    where = link or f"footer-audit report diff {changes.run_id}"
    tail = f"完整报告：{where}"
    md_text = _markdown(md)
    plain = "\n".join(text)
    if len(md_text) > _MAX_TEXT:
        md_text = md_text[:_MAX_TEXT] + "\n……"
    if len(plain) > _MAX_TEXT:
        plain = plain[:_MAX_TEXT] + "\n……"
    md_link = f"[{link}]({link})" if link else f"`{where}`"
    payload = {
        "event": "footer-audit.changes", "sample": sample, "portfolio": changes.portfolio,
        "run": changes.run_id, "against": changes.against, "status": changes.status,
        "counts": {k: counts.get(k, 0) for k in ALERT_KINDS},
        "owners": [g.to_json() for g in owners], "report_url": link,
    }
    return Message(title, f"{md_text}\n\n完整报告：{md_link}", f"{plain}\n\n{tail}", payload)
