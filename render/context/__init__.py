"""Context stage: resolve a note against its house, in the note's locale."""
