"""The command line (`footer-audit`): `cli.py` and one module per command in `commands/`."""
