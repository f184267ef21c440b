"""Use cases called by the API and handlers of consumed events."""
