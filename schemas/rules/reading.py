"""Rules for reading a file: its size, encoding and syntax, and the Markdown body's sections."""

from schemas.rules.core import Rule
from schemas.rules.sections import READING

FILE_MISSING = Rule(
    "file.missing",
    "{problem}",
    READING,
    "the file does not exist, is a folder, or cannot be read (no permission)",
)
FILE_ENCODING = Rule(
    "file.encoding",
    "byte {byte} is not UTF-8; save the file as UTF-8",
    READING,
    "the file is not UTF-8 (located at the first bad byte)",
)
FILE_TOO_LARGE = Rule(
    "file.too_large",
    "the file is larger than the {limit:,} bytes a note may have",
    READING,
    "the note (or `house.yaml`) is larger than render reads (`Limits.note_bytes`, 2 MiB); it is "
    "not read at all. A path that is not a regular file (a pipe, a device) is `file.missing`",
)
FRONT_MATTER = Rule(
    "syntax.front_matter",
    "the front matter has no closing '---' line",
    READING,
    "a Markdown note's front matter has no closing `---` line",
)
YAML = Rule(
    "syntax.yaml",
    "{problem}",
    READING,
    "the YAML (a `.yaml` note, a front matter or a `house.yaml`) cannot be read: bad "
    "indentation, a tab, a `: ` in an unquoted value, an unclosed quote or bracket, a duplicate "
    "key, a control character, data that is not a mapping",
)
JSON = Rule(
    "syntax.json",
    "{problem}",
    READING,
    "a `.json` note cannot be read: a missing or extra comma, an unquoted key, a duplicate key, "
    "data that is not an object",
)
TOO_LARGE = Rule(
    "syntax.too_large",
    "{problem}",
    READING,
    "the data would hold more than render reads once its YAML aliases are expanded: more than "
    "`Limits.yaml_nodes` values (100 000) or more text than `Limits.note_bytes` characters; "
    "located at the alias (`*name`, or a merge `<<: *name`) that crosses the limit. A kilobyte "
    'of aliases of aliases (an "alias bomb") names billions of values, under any key',
)
ALIAS_LOOP = Rule(
    "syntax.alias_loop",
    "{alias} is inside the anchor {anchor} it refers to: the data would contain itself",
    READING,
    "an alias is inside the anchor it names (`a: &x [*x]`): the data would contain itself",
)
NUMBER = Rule(
    "syntax.number",
    "{problem}",
    READING,
    "a number written with more than `Limits.number_digits` digits (100), or one that is not "
    "finite (`1e999999`, `.inf`, `.nan`, JSON's `NaN` and `Infinity`): quote it if it is text",
)
HEADING = Rule(
    "body.heading",
    "{title} is not a section of this note; {hint}(sections: {choices})",
    READING,
    "a level-1 or level-2 heading names no section (the message lists the allowed ones; deeper "
    "headings are sub-headings)",
)
DUPLICATE = Rule(
    "body.duplicate",
    "section {title} is given twice (also at {where})",
    READING,
    "a section is given twice (two headings, or a heading and a front matter key)",
)
PREAMBLE = Rule(
    "body.preamble",
    "text before the first section heading belongs to no section",
    READING,
    "text before the first section heading",
)
