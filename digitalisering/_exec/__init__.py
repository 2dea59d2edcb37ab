"""One thin wrapper per external program: probe whether it is installed, say what to install."""
