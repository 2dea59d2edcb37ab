"""Progress against the digitisation targets: volumes, budget, forecast (issue 9)."""
