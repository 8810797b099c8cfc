"""PDF stage: lay out and write the PDF inside its folders, then check what was printed."""
