"""`footer-audit schedule`: a portfolio's runs at the times of its `schedule:`, one at a time
across every scheduler sharing the store."""
