"""Openbaarheid: personal data and vulnerable objects proposed from a run's words and BAG links,
access decisions per document, and what each role may see (``access.policy``)."""
