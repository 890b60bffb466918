"""GET /api/v1/snippet?host=: the compliant footer of a site of the server's portfolio, built by
`rules.snippet` as `footer-audit snippet --portfolio FILE --site HOST` builds it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.exceptions import HTTPException

from crawler.api.security import require
from crawler.api.state import api_state
from crawler.reports.store.base import ApiToken

__all__ = ["router"]

router = APIRouter(tags=["snippet"])


@router.get("/snippet", summary="The compliant footer HTML of a site of the portfolio")
def snippet(host: Annotated[str, Query(min_length=1, max_length=253,
                                       description="www.example.cn")],
            request: Request, _token: Annotated[ApiToken, Depends(require("audit"))],
            ) -> dict[str, Any]:
    """The copyright line naming the subject, the ICP number linked to MIIT and the 公安 badge,
    number and link, from what the portfolio (`serve --portfolio FILE`) says of the host."""
    from crawler.net.domains import host_of
    from rules.snippet import SnippetError, footer_facts, footer_snippet

    portfolio = api_state(request).portfolio
    if portfolio is None:
        raise HTTPException(404, "the server has no portfolio (start it with --portfolio FILE)")
    name = host_of(f"http://{host.strip()}/") if "://" not in host else host_of(host)
    match = portfolio.site(name) if name else None
    if match is None:
        raise HTTPException(404, f"{host!r} is not a site of the server's portfolio")
    expect = match.org.expectations(match.domain)
    try:
        facts = footer_facts(match.org.name, expect.expected_icp, expect.expected_gongan,
                             match.org.province)
    except SnippetError as exc:
        raise HTTPException(422, f"{exc} ({match.domain.domain} in the portfolio)") from None
    return {"host": name, "domain": match.domain.domain, "org": match.org.name,
            "icp": expect.expected_icp, "gongan": expect.expected_gongan,
            "province": match.org.province, "html": footer_snippet(facts)}
