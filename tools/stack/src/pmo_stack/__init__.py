"""Development and test stack tooling."""
