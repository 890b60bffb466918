"""The portfolio: its model and loader (organisations, domains, apps, crawl options), source
lines for clear errors, overlaps between organisations, and the findings judged over a whole run."""
