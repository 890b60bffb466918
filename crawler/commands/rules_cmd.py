"""`footer-audit rules [CODE]` (placeholder until the rule registry lands)."""


def rules(code: str | None = None) -> None:
    """List the rules, or explain one."""
    raise NotImplementedError
