"""Signals contacts_app sends so that the apps above it can add their part without
contacts_app importing them (apps depend one way)."""

from django.dispatch import Signal

# seed_demo made a demo workspace; `contact_ids` are active contacts another app may
# give a history to (the cleaned app: bounce histories with real-looking evidence, C7).
demo_workspace_seeded = Signal()  # kwargs: workspace, contact_ids, now
