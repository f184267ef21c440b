"""Delivery channels as plug-ins: one `Channel` protocol, one module per channel, one registry.

The room sits below `handlers/` and beside `db/`: channels talk to the outside world (SMTP, HTTP,
DNS) as `db/` talks to the database, import only `domain/` and `config`, and are called by the
use cases (subscribing vets a target) and the delivery job (sending). `api/` never reaches them.
"""
