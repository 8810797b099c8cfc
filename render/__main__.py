"""Allow ``python -m render``."""

from render.cli.app import main

main()
