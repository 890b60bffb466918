"""icp_missing: no ICP number of this site displayed on the homepage.

## What it checks
The page's displayed text (not scripts, styles, comments or hidden elements) holds no ICP number
that belongs to this site: no `<P>ICP备…号`, no licence-form number (`京ICP证030173号`,
`粤B2-20090059`) presented as the filing number. Vanity prefixes (萌ICP备) are not numbers.
A number that exists only hidden is reported by `icp_not_visible` instead.

## Why it matters
Order No. 33 §13 and Order No. 292 §12 require the filing (or licence) number on the homepage;
fines 5,000-10,000 yuan (No. 33 §25), up to 50,000 (No. 292 §22).

## Example
`<footer>© 2024 某某有限公司</footer>`

## Use instead
`<footer><a href="https://beian.miit.gov.cn/">京ICP备12345678号-1</a></footer>`

## Needs
Nothing. Subdomain homepages (expectation `subdomain`) are judged by `subdomain_icp_missing`.
Needs review instead of a violation when the number may be in an image without alt text, in a
cross-origin iframe, or the render timed out.

## Known problems
Numbers drawn by JavaScript are only seen on rendered pages (`--render auto` decides).

## References
RULES.md §1 "ICP filing number"; rules-evidence.md §1, §2.
"""

from __future__ import annotations

from rules.checks._common import missing
from rules.rule import Rule, inapplicable, passed

__all__ = ["RULE", "check"]


def check(ctx):
    if ctx.expect.subdomain:
        return inapplicable("subdomain")
    if ctx.site_icp_numbers:
        return passed()
    if any(m.visible is False for m in ctx.site_icp_all):
        return passed()  # present but hidden: icp_not_visible reports it
    return missing(ctx)


RULE = Rule(
    code='icp_missing',
    severity='error',
    tags=('icp',),
    since='0.1.0',
    message_en='no ICP filing number of this site is displayed on the page',
    message_zh='页面未显示本网站的 ICP 备案号',
    explain=__doc__ or "",
    check=check,
    summary='no ICP number of this site displayed on the homepage',
)
