"""Page imaging: load a page from its file (bounded, normalised), later orientation, deskew, checks."""
