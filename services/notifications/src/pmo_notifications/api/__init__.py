"""Notifications' HTTP API: alerts, subscriptions, silences, deliveries and the inbox."""
