"""Pydantic models of a research note and of a firm's house profile, with their compliance rules.

The package imports nothing itself: a process that needs only the problems (the PDF process,
``render.pdf.ahead``) does not build the note's and the house's models.
"""
