"""Dossiers and documents: split scanner stacks and folders into typed documents (issue 5)."""
