"""Publishing stage: files made beside the PDF for distribution (the RIXML sidecar)."""
