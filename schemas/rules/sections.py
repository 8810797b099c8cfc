"""The parts of ``docs/rules.md``: one per stage of the pipeline, each with its rules."""

from schemas.rules.core import Section

READING = Section("Reading the file")
NOTE = Section(
    "The note",
    "The house's own values (firm code, scales, markets, risk levels, forbidden phrases, required "
    "contacts) come from its `house.yaml`.",
)
DATA = Section(
    "The note's data",
    "The market data a note carries (`price`, `target_price`, `prices`, `forecast`, "
    "`market_data`; see [data.md](data.md)). A problem in a price file is located at its line "
    "and column in that file.",
)
HOUSE = Section(
    "The house",
    "A house's problems are located in its `house.yaml`; the note's own problems wait until the "
    "house is fixed. `schema.unknown_key`, `schema.missing`, `schema.type` and `schema.empty` "
    "apply to houses too.",
)
REGISTERS = Section(
    "The registers",
    "A house's `analysts.yaml` and `disclosures.yaml` (see [compliance.md](compliance.md)) are "
    "read like `house.yaml`: their `schema.*` problems are located in them. What they say of a "
    "note:",
)
RENDERING = Section("Rendering")
PROJECT = Section("The project and the build")
SECTIONS = (READING, NOTE, DATA, HOUSE, REGISTERS, RENDERING, PROJECT)
