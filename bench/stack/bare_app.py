"""The bare FastAPI app the stack benchmark serves with uvicorn, one process, as its baseline.

`python -m uvicorn bench.stack.bare_app:app --app-dir <repo>`; see bench/bare_route.py.
"""

from __future__ import annotations

from bench.bare_route import bare_report_app

app = bare_report_app()
