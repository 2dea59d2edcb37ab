"""What every web page of digitalisering shares, apart from what it shows: the guards against other
web sites (``security``: Host allow-list, same-origin check, CSRF tokens) and the server that runs
an app (``server``: waitress, worker threads, idle connections closed)."""
