"""Front end: the ``render`` command line."""

import gc
import os

# The command line loads no Pydantic plugins: looking for them reads every installed package's
# entry points when the first model is built, ~25 ms of each command's start, and render has
# none. A PYDANTIC_DISABLE_PLUGINS the environment sets is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def main() -> None:
    """Run the ``render`` command (``python -m render`` too), its modules imported first.

    Importing the command line makes hundreds of thousands of objects that live as long as the process
    (Pydantic's models, Jinja, the rule registry), and Python's cyclic garbage collector
    walks them again and again while they are made: ~60 ms of a cold ``render check`` (a
    tenth of it), with nothing to collect. The collector is paused while they are imported,
    and they are then set aside for good (``gc.freeze``), so later collections walk only what
    the command itself makes; it runs as usual after that.
    """
    gc.disable()
    try:
        from render.cli.app import main as run
    finally:
        gc.freeze()
        gc.enable()
    run()
