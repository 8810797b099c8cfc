"""Rules found while rendering: templates, figures, resources and the check after layout."""

from schemas.rules.core import Rule
from schemas.rules.sections import RENDERING

__all__ = ["RENDERING", "Rule"]

# r-load: copied verbatim from r-render's work in progress (houses.py makes a logo's problem);
# at the merge, keep r-render's declarations and drop this.
RESOURCE = Rule(
    "render.resource",
    "{what}: {why}",
    RENDERING,
    "an image is on the network, outside the note's and house's folders, or missing; the "
    "house's `logo` is not a file in its folder",
)
