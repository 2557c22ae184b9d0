"""A figure is read as the person wrote it with the digits 0-9, or refused with a message: "３"
and "٣" are not 3 (int() would say they are), "1,5" is not 15, "1e9" and "NaN" are no amounts."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from campaign.lib.numbers import AmountField, WholeNumberField, amount, whole_number

WHOLE = [("2", 2), (" 3 ", 3), ("1,000", 1000), (7, 7), (7.0, 7), ("", None), (None, None)]
NOT_WHOLE = ["３", "٣", "²", "①", "1,5", "1,00", "1e3", "2.5", 2.5, "+-1", "三", True, "1" * 101]
AMOUNTS = [("12.5", Decimal("12.5")), ("1,234.5", Decimal("1234.5")), (".5", Decimal("0.5")), (12.5, Decimal("12.5")),
           (1234.57, Decimal("1234.57")), (3, Decimal(3)), ("", None)]  # fmt: skip
NOT_AMOUNTS = ["３.5", "٣", "1,5", "1e9", "NaN", "Infinity", "-", ".", float("nan"), float("inf"), True]


@pytest.mark.parametrize("cell, number", WHOLE)
def test_whole_numbers_in_ascii_digits_are_read(cell, number):
    assert whole_number(cell) == number


@pytest.mark.parametrize("cell", NOT_WHOLE)
def test_anything_else_is_refused_as_a_whole_number(cell):
    with pytest.raises(ValueError):
        whole_number(cell)
    if isinstance(cell, str):
        with pytest.raises(ValidationError, match="0–9"):
            WholeNumberField(required=False).clean(cell)


@pytest.mark.parametrize("cell, number", AMOUNTS)
def test_amounts_are_read_as_excel_shows_them(cell, number):
    assert amount(cell) == number


@pytest.mark.parametrize("cell", NOT_AMOUNTS)
def test_anything_else_is_refused_as_an_amount(cell):
    with pytest.raises(ValueError):
        amount(cell)
    if isinstance(cell, str):
        with pytest.raises(ValidationError, match="0–9"):
            AmountField(required=False).clean(cell)
