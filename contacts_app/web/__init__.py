"""The web edge of contacts_app: pages (views, URLs, forms), the workspace every page
resolves (S1, S2), pagination, the contact page's panels and the health probe. Parses
input and calls the domain (services, selectors); holds no rule of its own."""
