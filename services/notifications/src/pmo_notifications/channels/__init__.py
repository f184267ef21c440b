"""Delivery channels as plug-ins: e-mail over SMTP and signed webhooks over HTTP."""
