"""Learned document starts and types (scikit-learn), trained from labelled documents."""
