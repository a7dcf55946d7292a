"""Cleaned contacts, one module per seam: `bounces` (C1), `exports` (C4), `archive`
(C5). Import from the module."""
