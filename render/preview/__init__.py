"""Live preview: a local web server over a folder of notes that re-renders as the analyst saves."""

from render.preview.app import create_app

__all__ = ["create_app"]
