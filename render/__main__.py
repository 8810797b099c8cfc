"""Allow ``python -m render``."""

from render.cli import main

main()
