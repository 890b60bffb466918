"""Starting a crawl: `check.check_pages` (pages on demand) and `run.crawl_portfolio` (a
portfolio), with one settings builder for both (`crawl_settings`) and the checks of the
expectations a caller gives. The command line, the API and the crawl jobs all start crawls here."""
