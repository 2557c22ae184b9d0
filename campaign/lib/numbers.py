"""Numbers a person types, read one way on every form and in every spreadsheet: with the digits 0-9.

Python's int() and Decimal() take "３" (full-width) and "٣" (Arabic-Indic) as 3, and Django's
number fields with them: a figure that counts toward a target must be the figure the person
meant, so anything but ASCII digits (and one decimal point) is refused with a message, as are
exponents ("1e9"), "NaN" and "Infinity". Bounds are the caller's (min_value, max_value,
max_digits), with Django's messages."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from import_export import widgets

_WHOLE = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
# 1,234,567.8: thousands separators are dropped; any other comma (1,5) is not a number here.
_GROUPED = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")


def _typed(value) -> str:
    text = str(value).strip() if value is not None else ""
    return text.replace(",", "") if _GROUPED.fullmatch(text) else text


class WholeNumberField(forms.IntegerField):
    """An integer written in ASCII digits."""

    default_error_messages = {"invalid": _("Write a whole number with the digits 0–9, e.g. 2.")}

    def to_python(self, value):
        text = _typed(value)
        if text in self.empty_values:
            return None
        if not _WHOLE.fullmatch(text) or len(text) > 100:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class AmountField(forms.DecimalField):
    """A decimal amount written in ASCII digits and a point."""

    default_error_messages = {"invalid": _("Write an amount with the digits 0–9 and a decimal point, e.g. 12.5.")}

    def to_python(self, value):
        text = _typed(value)
        if text in self.empty_values:
            return None
        if not _DECIMAL.fullmatch(text) or len(text) > 100:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text)


# ---------------------------------------------------------------- spreadsheet cells


def whole_number(value) -> int | None:
    """A cell as an integer: Excel's numbers (3, 3.0), or text in ASCII digits; empty is None.
    Raises ValueError with a message for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(WholeNumberField.default_error_messages["invalid"])
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(WholeNumberField.default_error_messages["invalid"])
    text = _typed(value)
    if not _WHOLE.fullmatch(text) or len(text) > 100:
        raise ValueError(WholeNumberField.default_error_messages["invalid"])
    return int(text)


def amount(value) -> Decimal | None:
    """A cell as a Decimal: Excel's numbers as they show (12.5, not 12.4999…), or text in ASCII
    digits and a point; empty is None. Raises ValueError with a message for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(AmountField.default_error_messages["invalid"])
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(AmountField.default_error_messages["invalid"])
        return Decimal(repr(value))
    text = _typed(value)
    if not _DECIMAL.fullmatch(text) or len(text) > 100:
        raise ValueError(AmountField.default_error_messages["invalid"])
    return Decimal(text)


def as_cell(value) -> int | float | str:
    """A number as Excel shows it: 3, 0.5, 900 (never 3.0 or 900.00); None as an empty cell."""
    if value is None:
        return ""
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


class WholeNumberWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return whole_number(value)

    def render(self, value, obj=None, **kwargs):
        return as_cell(value)


class AmountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return amount(value)

    def render(self, value, obj=None, **kwargs):
        return as_cell(value)
