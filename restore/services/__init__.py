"""Restore, one module per seam: `selection` (what was picked), `preview` (R12,
B1–B3), `restoring` (R6–R8, R10 for a batch), `jobs` (R4, R5, R11, R13) and
`form_submission` (R9). Import from the module."""
