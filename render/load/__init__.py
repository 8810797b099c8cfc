"""Load stage: read a note or house file into data, every value with its place."""
