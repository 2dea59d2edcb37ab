"""Quality assurance: what failed and why, for operators now; checks, sampling and review later."""
