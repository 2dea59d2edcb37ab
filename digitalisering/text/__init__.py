"""Renderers from the page text model: the PDF text layer, ALTO."""
