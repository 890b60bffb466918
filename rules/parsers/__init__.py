"""Parsers for the marks, one module each. They read normalised text (rules.normalize) and return
what they found with its span, so the extractor can trace each match back to its elements."""
