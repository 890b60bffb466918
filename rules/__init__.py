"""footer-audit's audit core: pure functions from a page's HTML to findings and violations.

No Scrapy, no Redis, no I/O. Entry points: `rules.audit.audit_record` (one fetched page's
`rules.page_record.PageRecord`, its status decided), `rules.audit.audit_page`,
`rules.registry.RULES`, `rules.render_decision.needs_rendering`, `rules.snapshot.footer_snapshot`.
"""

__all__ = ["RULES_VERSION"]

# Bump on any change to a rule, the extraction or the reference data: stored runs record it, so a
# nightly diff can tell "the rules changed" from "the site changed".
RULES_VERSION = "2026.12.1"
