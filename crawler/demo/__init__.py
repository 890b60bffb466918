"""Stand-in sites on 127.0.0.1: the site farm (many virtual hosts, http and https, on one port),
the pages it serves, and a hostile server. `examples/demo_farm.py` crawls the example portfolio
against the farm; the benchmarks and the tests use the same sites. Nothing of the crawl here."""
