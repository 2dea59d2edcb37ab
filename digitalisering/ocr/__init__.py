"""OCR: the page text model, the engines behind one interface, and how a page is read."""

from digitalisering.ocr.model import Block, Line, PageText, Word

__all__ = ["Block", "Line", "PageText", "Word"]
