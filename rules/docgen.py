"""The rule catalogue as Markdown (`docs/rules.md`), generated from the registry.

    python -c "from rules.docgen import rules_markdown; print(rules_markdown(), end='')" \\
        > docs/rules.md

`tests/test_rules_docs.py` fails when the file and the registry disagree.
"""

from __future__ import annotations

import re

from rules import RULES_VERSION
from rules.messages import REVIEW_MESSAGES
from rules.registry import RULES

__all__ = ["rules_markdown", "unwrap_cjk"]

_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]$")


def unwrap_cjk(text: str) -> str:
    """Join the lines of Chinese paragraphs (wrapped in the source) without a space: Markdown
    would render each line break as one."""
    out: list[str] = []
    joinable = False
    for line in text.split("\n"):
        if joinable and line.strip() and not line.startswith(("#", "`", "|", "-")):
            out[-1] += line
        else:
            out.append(line)
        joinable = bool(_CJK.search(out[-1])) and not out[-1].startswith(("#", "`", "|"))
    return "\n".join(out)


def _explanation(explain: str) -> str:
    body = explain.strip().split("\n", 1)[1] if "\n" in explain.strip() else ""
    # One level down: each rule is a "##" heading here, its sections "###".
    return re.sub(r"^## ", "### ", body.strip(), flags=re.M)


def rules_markdown() -> str:
    out = [
        "# Rules",
        "",
        "<!-- Generated from rules/registry.py by rules/docgen.py: do not edit by hand. -->",
        "",
        f"Rules version `{RULES_VERSION}`. Every rule gives one of four outcomes on a page: "
        "`violation`, `pass`, `needs_review` (it could not look: never a pass) or `inapplicable` "
        "(an expectation it needs is absent, or a layout rule on a page that was not rendered). "
        "Severities are defaults; an organisation can change them or switch rules off. "
        "`footer-audit rules CODE` prints the same explanation.",
        "",
        "| code | severity | tags | summary | 摘要 |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES:
        out.append(f"| [`{rule.code}`](#{rule.code}) | {rule.severity} | "
                   f"{', '.join(rule.tags)} | {rule.summary} | {rule.summary_zh} |")
    out += ["", "## Needs-review reasons", "", "| reason | message |", "|---|---|"]
    for reason, (en, _zh) in REVIEW_MESSAGES.items():
        out.append(f"| `{reason}` | {en} |")
    for rule in RULES:
        out += [
            "",
            f"## {rule.code}",
            "",
            f"Severity **{rule.severity}** · tags {', '.join(f'`{t}`' for t in rule.tags)} · "
            f"since {rule.since} · {rule.status}",
            "",
            f"Message: “{rule.message_en}” / “{rule.message_zh}”",
            "",
        ]
        if rule.fix_en or rule.fix_zh:
            out += [f"Fix (filled for the page, see docs/check.md): “{rule.fix_en}” / "
                    f"“{rule.fix_zh}”", ""]
        out.append(_explanation(rule.explain))
        if rule.explain_zh:
            out += ["", "### 中文说明", "", f"{rule.summary_zh}。", "",
                    re.sub(r"^## ", "#### ", unwrap_cjk(rule.explain_zh.strip()), flags=re.M)]
    return "\n".join(out) + "\n"
