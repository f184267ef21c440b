"""Use cases called by the API, consumed-event handlers and the delivery job."""
