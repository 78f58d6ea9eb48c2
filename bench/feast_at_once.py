"""feast_at_once.py -- the `feast` command, started on a signal: imports first, then waits for GO, then runs the CLI.

    feast_at_once.py GO READY feast-args...

Feast's CLI takes seconds to import, and how long varies from process to process, so
writers launched together reach the registry seconds apart. Importing first and starting
all of them on one signal (the file GO appears; READY tells the driver this one is
waiting) makes them run at once, as pods of a Deployment that start together do. The
command itself is Feast's own entry point, unchanged (the `feast` console script).
"""
import os
import sys
import time

from feast.cli.cli import cli

go, ready = sys.argv[1], sys.argv[2]
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
sys.argv = ["feast"] + sys.argv[3:]
sys.exit(cli())
