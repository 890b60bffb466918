"""One module per rule, named after its code. Each module's docstring is the rule's explanation
and its `RULE` object is listed in `rules.registry.RULES`."""
