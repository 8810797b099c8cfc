"""Render research notes into house-style PDF and HTML: load, validate, context, HTML, PDF."""

__version__ = "0.1.0"
