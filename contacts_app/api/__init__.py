"""The JSON API edge of contacts_app: the contacts router, bearer-token auth (S1), the
schemas shared by every app's router and the throttles (S7). config/api.py assembles the
routers into one NinjaAPI."""
