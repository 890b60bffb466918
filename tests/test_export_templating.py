"""The Jinja2 environment of the HTML pages (crawler/reports/exports/templating.py): autoescaped,
strict about names, and shipped with its templates."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup

from crawler.reports.exports.templating import environment


def test_values_are_escaped_in_html_escape_spelling_and_markup_is_kept() -> None:
    page = environment().from_string("<p title='{{ a }}'>{{ a }}{{ b }}{{ nothing }}{{ n }}</p>")
    out = page.render(a="<script>alert(\"x\" & 'y')</script>", b=Markup("<b>ok</b>"), nothing=None,
                      n=3)
    assert out == ("<p title='&lt;script&gt;alert(&quot;x&quot; &amp; &#x27;y&#x27;)"
                   "&lt;/script&gt;'>&lt;script&gt;alert(&quot;x&quot; &amp; &#x27;y&#x27;)"
                   "&lt;/script&gt;<b>ok</b>3</p>")


def test_a_misspelt_name_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(UndefinedError):
        environment().from_string("{{ run.portfolio }}").render(rnu={})


def test_the_report_template_is_found_and_streams() -> None:
    template = environment().get_template("report.html.j2")
    assert template.filename and template.filename.endswith("report.html.j2")
    assert callable(template.generate)
