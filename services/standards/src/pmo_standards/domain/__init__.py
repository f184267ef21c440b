"""Standards' rules as plain functions: no web, database or messaging imports."""
