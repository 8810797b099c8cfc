"""HTML stage: the sandboxed Jinja environment, its filters, and page rendering."""
