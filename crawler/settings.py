"""Scrapy settings of footer-audit: Scrapy's own first, then scrapy-playwright's, then ours.

Each of our settings carries the ``FOOTER_AUDIT_`` prefix, is declared once here (groups
alphabetical, the enabling flag first) and documented in ``docs/settings.md``; a test checks that
the two list the same names. Components read them in ``from_crawler``.
"""

from crawler.fetch import limits
from crawler.render.browser import launch_options

# --- Scrapy ---------------------------------------------------------------------------------
BOT_NAME = "footer-audit"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# A crawl imports only its own spider's module (spiders/<name>.py) when it can.
SPIDER_LOADER_CLASS = "crawler.spider_loader.NamedSpiderLoader"

# The asyncio reactor: scrapy-playwright needs it.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Applies FOOTER_AUDIT_RESOLVE to static fetches; without rules it resolves as Scrapy's own.
TWISTED_DNS_RESOLVER = "crawler.fetch.resolve.ResolvingHostnameResolver"

# Requests with meta["playwright"] go to Chromium, the others to Scrapy's HTTP client; one
# scrapy-playwright handler serves both schemes (crawler/render/handler.py).
DOWNLOAD_HANDLERS = {
    "http": "crawler.render.handler.SharedPlaywrightDownloadHandler",
    "https": "crawler.render.handler.SharedPlaywrightDownloadHandler",
}
DOWNLOADER_MIDDLEWARES = {
    # After redirects, decompression and meta refresh (580), before retries (550).
    "crawler.middlewares.render.RenderOnDemandMiddleware": 575,
    # Next to the downloader: a slot's concurrency holds for bursts too (Scrapy 2.19 lets a burst
    # of requests for one slot through at once).
    # Before the slot is taken: the host's addresses checked against the address policy (and
    # a rendered page's final URL, after the slot is freed).
    "crawler.middlewares.address_policy.AddressPolicyMiddleware": 940,
    "crawler.middlewares.politeness.SlotConcurrencyMiddleware": 950,
}
# Every component of a crawl is listed here; each one switches itself off (NotConfigured) by its
# own FOOTER_AUDIT_*_ENABLED setting (the JSON Lines writer: an empty FOOTER_AUDIT_JSONL_OUTPUT),
# so a spider names none.
ITEM_PIPELINES = {
    "pipelines.audit.AuditPipeline": 300,
    # Screenshots of rendered footers with violations; closes every kept Playwright page.
    "pipelines.evidence.EvidencePipeline": 500,
    "pipelines.jsonl.JsonlWriterPipeline": 800,
    "pipelines.report.ReportPipeline": 900,
}
EXTENSIONS = {
    # Findings first: the summary printed at close includes them.
    "crawler.portfolio.findings.PortfolioFindingsExtension": 500,
    "crawler.render.memory.RenderMemoryExtension": 510,
    "crawler.extensions.progress.ProgressExtension": 520,
}
# A callback yields a page and a few requests: Scrapy's 100 parallel item workers per response
# cost 100 asyncio tasks each time for nothing.
CONCURRENT_ITEMS = 8
# Every host is its own download slot. The downloader-aware queue scans all slots with pending
# requests on each pop: thousands of hosts make that quadratic, and with one or two requests per
# host it balances nothing.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.ScrapyPriorityQueue"

# A desktop browser's identity naming the tool: some sites refuse "HeadlessChrome" or bare bots.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36 footer-audit/0.1"
)
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
}
# The audited sites belong to the organisation that runs the audit, which asks for the homepage.
ROBOTSTXT_OBEY = False
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = limits.DEFAULT_TIMEOUT
DOWNLOAD_MAXSIZE = limits.MAX_PAGE_BYTES
DOWNLOAD_WARNSIZE = 3 * 1024 * 1024
# Footers are audited whatever the certificate; the browser follows this choice too.
DOWNLOAD_VERIFY_CERTIFICATES = False
RETRY_TIMES = 1
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# --- scrapy-playwright ----------------------------------------------------------------------
PLAYWRIGHT_BROWSER_TYPE = "chromium"
# Executable found by crawler/render/browser.py; --no-sandbox when running as root.
PLAYWRIGHT_LAUNCH_OPTIONS = launch_options()
# Beyond ~4 pages per context Chromium takes memory, not speed. Contexts rotate, so the cap across
# contexts is FOOTER_AUDIT_RENDER_MAX_PAGES (crawler/render/handler.py says why not
# PLAYWRIGHT_MAX_CONTEXTS).
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER = True
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 20_000
# Skip image, font and media downloads; the <img> elements stay.
PLAYWRIGHT_ABORT_REQUEST = "crawler.render.browser.abort_heavy_request"

# --- footer-audit: address policy (crawler/net/addresses.py) -------------------------------
# Refuse hosts that resolve to loopback, private, link-local, multicast or reserved addresses.
FOOTER_AUDIT_ADDRESS_POLICY_ENABLED = True
# Address ranges (CIDR) allowed all the same, e.g. ["10.0.0.0/8"] (--allow-network).
FOOTER_AUDIT_ALLOW_NETWORKS: list[str] = []

# --- footer-audit: audit pipeline -----------------------------------------------------------
# Audit every fetched page with rules.audit_page (pipelines/audit.py).
FOOTER_AUDIT_AUDIT_ENABLED = True
# Keep a compact copy of the footer HTML with each audited page, for the store and diffs.
FOOTER_AUDIT_AUDIT_SNAPSHOT = True

# --- footer-audit: evidence screenshots (pipelines/evidence.py) -----------------------------
# Keep rendered pages open and photograph the footer of those whose audit found violations.
FOOTER_AUDIT_EVIDENCE_ENABLED = True
# Image format of the screenshot: "jpeg" (small) or "png" (lossless).
FOOTER_AUDIT_EVIDENCE_FORMAT = "jpeg"
# Largest screenshot kept, in bytes (a larger one is retried as a lower-quality JPEG, then dropped).
FOOTER_AUDIT_EVIDENCE_MAX_BYTES = 250_000
# Tallest clip, in CSS pixels: a taller footer keeps the part that ends at its marks.
FOOTER_AUDIT_EVIDENCE_MAX_HEIGHT = 1200
# JPEG quality, 1-100.
FOOTER_AUDIT_EVIDENCE_QUALITY = 70
# Seconds a screenshot may take before the page goes without one.
FOOTER_AUDIT_EVIDENCE_TIMEOUT = 10.0

# --- footer-audit: JSON Lines writer (pipelines/jsonl.py, portfolio crawls) -----------------
# Write one JSON line per audited page to this file, or "-" for standard output ("": off).
FOOTER_AUDIT_JSONL_OUTPUT = ""

# --- footer-audit: portfolio-wide rules (crawler/portfolio/findings.py) ---------------------
# Run subject_inconsistent across each organisation's sites when a portfolio crawl ends.
FOOTER_AUDIT_PORTFOLIO_ENABLED = True

# --- footer-audit: progress (crawler/extensions/progress.py) ------------------------------------
# Show the crawl's progress and summary on stderr (off: neither; the exit status does not change).
FOOTER_AUDIT_PROGRESS_ENABLED = True
# Show a progress bar on stderr when it is a terminal.
FOOTER_AUDIT_PROGRESS_BAR = True
# Print a summary table per organisation on stderr when a portfolio crawl ends.
FOOTER_AUDIT_PROGRESS_SUMMARY = True

# --- footer-audit: rendering ----------------------------------------------------------------
# Render pages in Chromium at all (off: every page is read statically).
FOOTER_AUDIT_RENDER_ENABLED = True
# Default render mode of a page: "always", "auto" (static first, Chromium when needed), "never".
FOOTER_AUDIT_RENDER = "auto"
# Pages rendered in one browser context before new pages go to a fresh one (0: never rotate).
FOOTER_AUDIT_RENDER_CONTEXT_PAGES = 100
# Pages open in Chromium at once, across all its contexts.
FOOTER_AUDIT_RENDER_MAX_PAGES = 4
# File remembering hosts that needed rendering ("": $XDG_DATA_HOME/footer-audit/render-hosts.json).
FOOTER_AUDIT_RENDER_MEMORY = ""
# Days a host stays remembered as needing rendering before it is tried statically again.
FOOTER_AUDIT_RENDER_MEMORY_DAYS = 30.0
# Remember hosts that needed rendering, so the next crawl renders them at once.
FOOTER_AUDIT_RENDER_MEMORY_ENABLED = True
# At most this many milliseconds after the load event for late scripts before probing the layout
# (less once the page shows a filing mark).
FOOTER_AUDIT_RENDER_SETTLE_MS = 500
# Seconds a render may take (page opened to DOM read back) before the page is closed and audited
# from its static HTML (render_timeout).
FOOTER_AUDIT_RENDER_TIMEOUT = 20.0

# --- footer-audit: --resolve (crawler/fetch/resolve.py) -------------------------------------------
# HOST:ADDRESS[:PORT] rules: every connection for HOST goes to ADDRESS (and PORT).
FOOTER_AUDIT_RESOLVE: list[str] = []


# --- footer-audit: report store (pipelines/report.py, crawler/reports/store/) ---------------------
# Write each audited page to the report store.
FOOTER_AUDIT_STORE_ENABLED = True
# Name runs are filed under; empty: the spider's portfolio_name, else its name.
FOOTER_AUDIT_STORE_PORTFOLIO = ""
# Redis key prefix; empty: $FOOTER_AUDIT_REDIS_PREFIX, else "footer-audit:".
FOOTER_AUDIT_STORE_PREFIX = ""
# Seconds between attempts to reach a store that went away (results wait in the spool).
FOOTER_AUDIT_STORE_RETRY_INTERVAL = 5.0
# A preset run id; empty: a new one (also in the stats as footer_audit/run_id).
FOOTER_AUDIT_STORE_RUN_ID = ""
# Write into the run FOOTER_AUDIT_STORE_RUN_ID as this part (a job of a distributed run): the run
# is neither beaten nor closed by this crawl; empty: the crawl opens and closes its own run.
FOOTER_AUDIT_STORE_RUN_PART = ""
# Where results wait while the store is unreachable; empty: <data dir>/spool.
FOOTER_AUDIT_STORE_SPOOL_DIR = ""
# Seconds one Redis call of a crawl may take before its page goes to the spool instead.
FOOTER_AUDIT_STORE_TIMEOUT = 2.0
# What started the run: "nightly", "on-demand" or "api".
FOOTER_AUDIT_STORE_TRIGGER = "on-demand"
# redis://… or a SQLite file; empty: $REDIS_URL, else the embedded SQLite file.
FOOTER_AUDIT_STORE_URL = ""
