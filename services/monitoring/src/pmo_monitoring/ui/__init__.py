"""The read-only web view under /ui/: server-rendered pages of the portfolio and its projects.

Jinja2 templates, inline SVG charts and plain CSS; no script runs in the browser (docs/adr/
0020-web-view.md). Pages read through the same handlers and access rules as the API.
"""
