"""Words stored as codes, rendered in the reader's language at display time (U7)."""

from django import template

from contacts_app.deliverability import provider_label

register = template.Library()


@register.filter(name="provider")
def provider_filter(key: str) -> str:
    return provider_label(key or "")
