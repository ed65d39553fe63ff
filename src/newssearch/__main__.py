"""Allow ``python -m newssearch``."""

from newssearch.cli import main

main()
