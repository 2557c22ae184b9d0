"""The unified social credit code (统一社会信用代码, GB 32100-2015): what passes, and what a
person who mistyped one is told."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from districts.forms import SiteForm
from districts.models import Role
from districts.validators import credit_code_check_char, normalize_credit_code, validate_credit_code

VALID = [
    "91330100799655058B",  # a Hangzhou company
    "91110000802100433B",  # a Beijing company
    "91440300708461136T",  # a Shenzhen company
    "911101080828461726",  # a check character that is a digit
]


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


def _error(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_credit_code(value)
    return info.value


def _assert_sentence(message: str) -> None:
    """One complete sentence a person can act on: capitalised, ended, every placeholder filled."""
    assert re.match(r"^[A-Z].*\.$", message), message
    assert "%(" not in message, message


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert validate_credit_code(code) is None


@pytest.mark.parametrize("code", VALID)
def test_lowercase_and_surrounding_spaces_are_normalised_not_refused(code):
    typed = f"  {code.lower()} "
    assert normalize_credit_code(typed) == code
    assert validate_credit_code(typed) is None


@pytest.mark.parametrize(
    ("code", "count"),
    [
        ("91330100799655058", 17),
        ("91330100799655058BB", 19),
        ("", 0),
    ],
    ids=["one_short", "one_long", "empty"],
)
def test_a_code_of_the_wrong_length_is_refused_saying_how_long_it_is(code, count):
    error = _error(code)
    assert error.code == "length"
    message = error.messages[0]
    _assert_sentence(message)
    assert message == f"A unified social credit code has 18 characters; this one has {count}."


@pytest.mark.parametrize("char", ["I", "O", "Z", "S", "V", "-", "*", "中"])
def test_a_code_with_a_character_outside_the_alphabet_is_refused_naming_it(char):
    code = VALID[0][:10] + char + VALID[0][11:]
    error = _error(code)
    assert error.code == "alphabet"
    message = error.messages[0]
    _assert_sentence(message)
    assert message.endswith(f": {char}.")


def test_every_forbidden_character_is_named_once():
    error = _error("91330100OO96I5505B")
    assert error.messages[0].endswith(": I O.")


def test_a_code_whose_division_code_is_not_digits_is_refused():
    body = "91A3010079965505" + "8"
    code = body + credit_code_check_char(body)  # right check character: only the division is wrong
    error = _error(code)
    assert error.code == "division"
    _assert_sentence(error.messages[0])
    assert "division code" in error.messages[0]


@pytest.mark.parametrize("code", VALID)
def test_a_code_with_the_wrong_check_character_is_refused(code):
    wrong = "0" if code[17] != "0" else "1"
    error = _error(code[:17] + wrong)
    assert error.code == "check"
    _assert_sentence(error.messages[0])
    assert "check character" in error.messages[0]


def test_a_single_mistyped_digit_is_caught_by_the_check_character():
    # 91330100799655058B with two digits swapped, the commonest typing slip.
    error = _error("91330100799565058B")
    assert error.code == "check"


def test_site_form_tells_the_user_what_is_wrong_with_the_code(district, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit("330103002"))
    data = {"name": "杭州某公司", "credit_code": "91330100799655058A", "unit": unit("330103002051").pk}
    form = SiteForm(data, user=user)
    assert not form.is_valid()
    assert form.errors["credit_code"] == [
        "The check character of this unified social credit code is wrong: please check the code."
    ]
    form = SiteForm({**data, "credit_code": "91330100799655058b", "category": "enterprise"}, user=user)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["credit_code"] == "91330100799655058B"
