"""The expectations a page is audited against: the request's, completed by the portfolio."""

from __future__ import annotations

from dataclasses import replace

from crawler.api.models import PageExpectations
from crawler.api.state import ApiState
from crawler.net.domains import host_of
from rules.model import Expectations

__all__ = ["expectations_for"]


def expectations_for(state: ApiState, url: str, body: PageExpectations) -> Expectations:
    """The portfolio's expectations for the URL's host (a subdomain as the crawl audits one),
    each field the request gives taking precedence."""
    base = Expectations()
    if state.portfolio is not None:
        match = state.portfolio.site(host_of(url))
        if match is not None:
            base = match.expectations()
    changes: dict[str, object] = {}
    if body.org:
        changes["org"] = body.org
    if body.province:
        changes["province"] = body.province
    if body.expect_icp:
        changes["expected_icp"] = body.expect_icp
    if body.expect_gongan:
        changes["expected_gongan"] = body.expect_gongan
        changes["gongan_required"] = True
    return replace(base, **changes) if changes else base
