"""Schemas shipped with digitalisering (JSON Schema for results.json; XSDs for MDTO and BAG)."""
