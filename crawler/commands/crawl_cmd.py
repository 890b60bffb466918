"""`footer-audit crawl` and `footer-audit run` (placeholder until the crawler lands)."""


def crawl(site: str) -> None:
    """Crawl sites on demand."""
    raise NotImplementedError


def run(portfolio: str) -> None:
    """Crawl a whole portfolio."""
    raise NotImplementedError
