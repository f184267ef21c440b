"""Notifications' tables and the queries on them."""
