"""Archival metadata: fixity (SHA-256) now; MDTO records and delivery packages build on it."""
