"""Rules for the project around notes: admitted houses, render.toml, the build's record."""

from schemas.problems import Severity
from schemas.rules.core import Rule
from schemas.rules.sections import PROJECT

# -- the build's record: `render verify` (render/batch/manifest.py) ---------------------------

NO_MANIFEST = Rule(
    "verify.no_manifest",
    "no {manifest} here; build into this folder with `render build -o {folder}`",
    PROJECT,
    "`render verify` was given a folder without a build's `manifest.json`",
)
MANIFEST = Rule(
    "verify.manifest",
    "{file} {reason}",
    PROJECT,
    "the folder's `manifest.json` cannot be read or is not a manifest this version of render "
    "writes (not JSON, another format, a hand edit); nothing is re-hashed",
)
MISSING = Rule(
    "verify.missing",
    "listed in the manifest but missing",
    PROJECT,
    "an output the manifest lists is not in the folder",
)
MODIFIED = Rule(
    "verify.modified",
    "modified since it was built: sha256 {found}, the manifest records {recorded}",
    PROJECT,
    "an output's SHA-256 is not the one the manifest records: it was changed after the build",
)
UNLISTED = Rule(
    "verify.unlisted",
    "not in the manifest: not written by a complete build",
    PROJECT,
    "a PDF or HTML file in the folder that the manifest does not list",
    severity=Severity.WARNING,
)

__all__ = ["MANIFEST", "MISSING", "MODIFIED", "NO_MANIFEST", "PROJECT", "UNLISTED", "Rule"]
