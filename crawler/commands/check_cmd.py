"""`footer-audit check` (placeholder until the fetch path lands)."""


def check(target: str) -> None:
    """Audit one page."""
    raise NotImplementedError
