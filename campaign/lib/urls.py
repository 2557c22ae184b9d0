"""A URL that takes a record's id last, reversed once for a page of many records.

`{% url %}` resolves the URLconf for every link; a page of hundreds of rows spends a good part of
its time there (the scoring page of a 132-item template: about a third). `reverser(name, *args)`
reverses the pattern once and gives a function of the last id that formats the rest:

    photo = reverser("assessment_finding_photo")
    photo(17)  # "/assessments/findings/photos/17/"

The URLconf stays the one place a URL is written: the function is made from what reverse() gives.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse


def reverser(name: str, *args) -> Callable[[int], str]:
    one, two = reverse(name, args=[*args, 1]), reverse(name, args=[*args, 2])
    at = next(i for i, (a, b) in enumerate(zip(one, two, strict=True)) if a != b)
    prefix, suffix = one[:at], one[at + 1 :]

    def url(pk: int) -> str:
        return f"{prefix}{int(pk)}{suffix}"

    return url
