"""Plumbing shared by every app and room: service errors, input hygiene (S4), SQL
helpers, the id-set field, CSV streaming and number formatting. Imports nothing else of
the project."""
