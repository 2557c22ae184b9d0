"""Integers from the query string and from filter forms, parsed one way everywhere.

`str.isdigit()` is true for "²", "①" and other Unicode digits that `int()` then refuses
(a 500), and `int()` itself accepts "٣" (Arabic-Indic three), " 3", "+3" and "3_000". An id,
a year or a page number in a URL is written with the ASCII digits 0-9 and nothing else; any
other value is treated as absent (a filter) or as an unknown choice (a form field), never
as an error page.
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django_filters.fields import ModelChoiceField as ModelChoiceFilterField

_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")  # 18 digits always fit a 64-bit database integer


def parse_int(value, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """The integer `value` spells in ASCII digits (within the bounds given), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return None
    return number


def query_int(request, name: str, **bounds) -> int | None:
    """parse_int() of the query parameter `name`: None when it is missing or not an ASCII integer."""
    return parse_int(request.GET.get(name), **bounds)


class _AsciiIdMixin:
    """Look an id up only if it is ASCII digits: "²" or "٣" is an unknown choice (the form
    says so), not a database error and not another row."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.to_field_name is None and not isinstance(value, models.Model) and parse_int(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdChoiceField(_AsciiIdMixin, forms.ModelChoiceField):
    """A form's choice of one row by id."""


class _IdFilterField(_AsciiIdMixin, ModelChoiceFilterField):
    pass


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """django-filter's ModelChoiceFilter with ids parsed as above: every filter by id parses the same way."""

    field_class = _IdFilterField
