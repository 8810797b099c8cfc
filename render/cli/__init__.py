"""Front end: the ``render`` command line."""

import os

# The command line loads no Pydantic plugins: looking for them reads every installed package's
# entry points when the first model is built, ~25 ms of each command's start, and render has
# none. A PYDANTIC_DISABLE_PLUGINS the environment sets is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
