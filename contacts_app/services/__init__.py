"""Writes on the CRM core, one module per seam: `contacts` (add, edit, subscribe,
tag, send), `archive` (A1–A3), `merge`, `purge` (A5). Import from the module."""
