"""Hosts and addresses: IDNA host names, registrable domains and site scopes, and the policy on
which network addresses the crawler may reach. The ground floor of the crawl: no Scrapy here."""
