"""Sections that other apps add to the contact page, without contacts_app importing
them (apps depend one way): an app registers a function in its AppConfig.ready; the
contact page renders each one's HTML (or nothing) in order. The cleaned app adds
"Why cleaned" (C7, C8) this way."""

from collections.abc import Callable

from django.utils.safestring import SafeString

ContactPanel = Callable[..., str]
_PANELS: list[ContactPanel] = []


def contact_panel_register(panel: ContactPanel) -> ContactPanel:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def contact_panels_render(*, request, contact) -> list[SafeString]:
    return [SafeString(html) for html in (panel(request=request, contact=contact) for panel in _PANELS) if html]
