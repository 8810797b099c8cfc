"""Rules for the project around notes: admitted houses, render.toml, the build's record."""

from schemas.problems import Severity
from schemas.rules.core import Rule
from schemas.rules.sections import PROJECT

PROJECT_CONFIG = Rule(
    "render.project_config",
    "{problem}",
    PROJECT,
    "the project configuration `render.toml` that applies to the note is wrong: not TOML, an "
    "unknown key, a value of the wrong type, a limit that is not a positive number, a `houses` "
    "entry that is not a folder. Located in `render.toml`; `render check`, `render build` and "
    "`render preview` refuse to start on it (exit 2), the preview shows it on a note's page if "
    "the file breaks while it runs",
)
HOUSE_NOT_FOUND = Rule(
    "house.not_found",
    "no admitted house {house} (admitted: {admitted})",
    PROJECT,
    "the note's `house:` names no admitted house: no shipped house, none in a folder "
    "`render.toml` or `--house-path` admits, and no house folder at that path (the message "
    "lists the admitted houses)",
)
HOUSE_NOT_ADMITTED = Rule(
    "house.not_admitted",
    "house {house} is not admitted: a note may use only the shipped houses and those the person "
    "running render admits (`houses` in render.toml, or render's --house-path option); "
    "admitted: {admitted}",
    PROJECT,
    "the note's `house:` is a path outside every admitted folder (`../../elsewhere`, `/tmp/x`, "
    "or a link in an admitted folder that leads out of it): render does not look there; the "
    "runner admits houses, not the note (see [security](security.md))",
)
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
