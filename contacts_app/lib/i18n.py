"""U3 helpers for messages built in Python: numbers written the way the reader's
language writes them (1,850 in English, 1 850 in French)."""

from django.utils import formats


def num(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


# U3: the French abbreviated months as French typography writes them (« janv. »,
# « févr. », « avr. »); Django's own catalogue has « jan. », « fév. », « avril ». Named
# here so that makemessages keeps them in our catalogue, which wins over Django's.
def _abbreviated_months():
    from django.utils.translation import pgettext_lazy

    return [
        pgettext_lazy("abbrev. month", "Jan."),
        pgettext_lazy("abbrev. month", "Feb."),
        pgettext_lazy("abbrev. month", "April"),
    ]
