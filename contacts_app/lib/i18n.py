"""U3 helpers for messages built in Python: numbers written the way the reader's
language writes them (1,850 in English, 1 850 in French)."""

from django.utils import formats


def num(value: int) -> str:
    return formats.number_format(value, force_grouping=True)
