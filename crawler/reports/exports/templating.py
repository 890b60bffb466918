"""The Jinja2 environment of every HTML page footer-audit writes (the HTML report today).

Autoescaping is on for every template: a value printed with `{{ }}` is escaped unless it is
markup already (a macro's output, a `Markup`), so hostile page text (a footer's `<script>`) stays
text. `None` prints as nothing. Values are escaped as `html.escape` does (`&quot;`, `&#x27;`),
so the report reads the same as it did before it had templates. Undefined names are errors, not
empty strings: a misspelt field fails the tests instead of vanishing from the report.

Templates live in `crawler/reports/exports/templates/` (package data). Render large pages with
`Template.generate()` and write each part as it comes, so a run of any size streams.
"""

from __future__ import annotations

import hashlib
from functools import cache, partial
from html import escape
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

__all__ = ["environment", "page_anchor", "short_time"]


# Markup from text already escaped, without Markup's own constructor (a large report prints a
# few hundred thousand values: this is most of the cost of a `{{ }}`).
_escaped = partial(str.__new__, Markup)


def _finalize(value: Any) -> Any:
    """Every `{{ value }}` passes here before autoescaping: markup stays markup, None is empty,
    numbers print as they are, anything else is escaped here, in html.escape's spelling."""
    kind = type(value)
    if kind is str:
        return _escaped(escape(value))
    if value is None:
        return ""
    if kind is int or kind is float or hasattr(value, "__html__"):
        return value
    return _escaped(escape(str(value)))


def short_time(iso: str | None) -> str:
    """`2026-04-02T21:40:05.123456Z` as `2026-04-02 21:40`."""
    return (iso or "")[:16].replace("T", " ")


def page_anchor(url_key: str) -> str:
    """The id of a page's evidence section (URLs make poor ids)."""
    return "page-" + hashlib.sha1(url_key.encode("utf-8")).hexdigest()[:12]


@cache
def environment() -> Environment:
    """The shared environment (templates are compiled once per process)."""
    env = Environment(
        loader=PackageLoader("crawler.reports.exports", "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        # Block tags on lines of their own leave no blank lines or indentation behind.
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["short_time"] = short_time
    env.filters["page_anchor"] = page_anchor
    return env
