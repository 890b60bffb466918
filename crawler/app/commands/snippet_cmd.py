"""`footer-audit snippet`: print the compliant footer HTML of one filing subject.

The facts come from the options (`--org`, `--icp`, `--gongan`, `--province`) or from one site of a
portfolio file (`--portfolio FILE --site HOST`; options given as well override the file). The HTML
is built by `rules.snippet`, the same code the fixes of `footer-audit check` quote.
"""

from __future__ import annotations

from typing import Annotated

import typer

from crawler.errors import UsageError

__all__ = ["snippet"]


def _from_portfolio(path: str, site: str) -> tuple[str, str | None, str | None, str | None]:
    """(org, icp, gongan code, province) of `site` in the portfolio file."""
    from crawler.portfolio.model import load_portfolio

    host = site.strip().lower().removeprefix("https://").removeprefix("http://")
    host = host.split("/")[0].split(":")[0]
    portfolio = load_portfolio(path)
    match = portfolio.site(host)
    if match is None:
        known = ", ".join(d.domain for o in portfolio.organisations for d in o.domains)
        raise UsageError(f"{site} is not a domain of {path} (its domains: {known or 'none'})")
    expect = match.org.expectations(match.domain)
    return match.org.name, expect.expected_icp, expect.expected_gongan, match.org.province


def snippet(
    org: Annotated[str | None, typer.Option(
        metavar="NAME", help="The filing subject (主办单位), named in the copyright line.")] = None,
    icp: Annotated[str | None, typer.Option(
        metavar="N", help="The ICP number on record: the website number, e.g. "
                          "京ICP备12345678号-1 (in 广东 shown as its subject number).")] = None,
    gongan: Annotated[str | None, typer.Option(
        metavar="CODE", help="The 14-digit 公安 filing code, if the site has one.")] = None,
    province: Annotated[str | None, typer.Option(
        metavar="NAME",
        help="The subject's province (北京 or 京); default: the ICP number's prefix.")] = None,
    portfolio: Annotated[str | None, typer.Option(
        metavar="FILE", help="Read the facts of --site from this portfolio file.")] = None,
    site: Annotated[str | None, typer.Option(
        metavar="HOST", help="With --portfolio: the domain whose footer to print.")] = None,
) -> None:
    """Print the compliant footer HTML: copyright line, linked ICP number, 公安 badge."""
    from rules.snippet import SnippetError, footer_facts, footer_snippet

    if (portfolio is None) != (site is None):
        raise UsageError("--portfolio and --site go together")
    if portfolio is not None and site is not None:
        p_org, p_icp, p_gongan, p_province = _from_portfolio(portfolio, site)
        org, icp = org or p_org, icp or p_icp
        gongan, province = gongan or p_gongan, province or p_province
    try:
        facts = footer_facts(org, icp, gongan, province)
    except SnippetError as exc:
        where = f" ({site} in {portfolio})" if portfolio else ""
        raise UsageError(f"{exc}{where}") from None
    typer.echo(footer_snippet(facts), nl=False)
