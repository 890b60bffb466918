"""The applications: the command line (`footer-audit`) and its commands, and the two ways a crawl
is started (`check` for pages on demand, `run` for a portfolio)."""
