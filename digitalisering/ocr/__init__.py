"""OCR: words with boxes and confidences, and the invisible text layer, from tesseract."""

from digitalisering.ocr.words import OcrResult, Word

__all__ = ["OcrResult", "Word"]
