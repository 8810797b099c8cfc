"""Pydantic models of a research note and of a firm's house profile, with their compliance rules."""

from schemas.house import House
from schemas.note import Note
from schemas.problems import Problem, Severity

__all__ = ["House", "Note", "Problem", "Severity"]
