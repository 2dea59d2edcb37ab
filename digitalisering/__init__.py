"""digitalisering: scanned building dossiers (bouwdossiers) into a trustworthy digital archive."""

__version__ = "0.1.0"
