"""Reports: the store (SQLite or Redis), run history and changes between runs, waivers, and
exports (CSV, JSON, HTML). Imports neither Scrapy nor the crawl: the command line, the API and the
crawl's pipelines all read and write reports through it."""
