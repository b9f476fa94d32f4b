"""The PostgreSQL backend with bounded waits (`ENGINE = "backend.postgres"`).

Django's own backend, plus a limit on how long any one answer from the server is awaited
on an open connection (`base.py`), and the time limits every connection carries, chosen by
the kind of process (`timeouts.py`). docs/decisions/database-timeouts.md says why.
"""
