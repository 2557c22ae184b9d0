"""The unified social credit code (统一社会信用代码, GB 32100-2015): what passes, and what a
person who mistyped one is told."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from districts import services
from districts.forms import SiteForm
from districts.models import Role, Site
from districts.tests.factories import SiteFactory
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


# ---------------------------------------------------------------- as typed with a Chinese input method

FULL_WIDTH = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-",
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ－",
)


@pytest.mark.parametrize("code", VALID)
def test_full_width_digits_and_letters_in_a_credit_code_are_read_as_ascii(code):
    typed = "\u3000" + code.lower().translate(FULL_WIDTH) + " "
    assert normalize_credit_code(typed) == code
    assert validate_credit_code(typed) is None


def test_a_space_inside_a_credit_code_is_refused_saying_so():
    for typed in ("9133010079 9655058B", "913301007996\u30005058B"):
        error = _error(typed)
        assert error.code == "space"
        _assert_sentence(error.messages[0])
        assert "space" in error.messages[0]


def _site_errors(credit_code: str, unit) -> list[str]:
    site = Site(name="杭州某公司", credit_code=credit_code, unit=unit("330103002051"))
    with pytest.raises(ValidationError) as info:
        site.full_clean()
    return info.value.message_dict["credit_code"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("91330100799655058BB", "A unified social credit code has 18 characters; this one has 19."),
        ("9133010079965 5058B", "A unified social credit code has no spaces inside; remove the spaces."),
        ("9133010079965505", "A unified social credit code has 18 characters; this one has 16."),
    ],
    ids=["one_long", "space_inside", "short"],
)
def test_a_site_with_a_misshapen_code_gets_one_message_about_it(plan, unit, typed, message):
    assert _site_errors(typed, unit) == [message]


def test_the_site_form_gives_one_message_and_no_browser_length_limit(plan, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit("330103002"))
    data = {"name": "杭州某公司", "unit": unit("330103002051").pk, "category": "enterprise"}
    form = SiteForm({**data, "credit_code": "9133010079965 5058B"}, user=user)
    assert not form.is_valid()
    assert form.errors["credit_code"] == ["A unified social credit code has no spaces inside; remove the spaces."]
    # A pasted code with spaces is not cut short by the browser before the user is told.
    assert "maxlength" not in str(form["credit_code"])


def test_a_credit_code_typed_full_width_and_lower_case_is_saved_in_capitals(plan, unit, make_user):
    user = make_user(Role.STREET_STAFF, unit("330103002"))
    typed = " " + "91330100799655058b".translate(FULL_WIDTH) + "\u3000"
    site = services.site_create(by=user, name="杭州某公司", credit_code=typed, unit=unit("330103002051"))
    site.refresh_from_db()
    assert site.credit_code == "91330100799655058B"
    form = SiteForm(
        {"name": "杭州某公司", "credit_code": typed, "unit": unit("330103002051").pk, "category": "enterprise"},
        user=user,
    )
    assert not form.is_valid(), "the same code, typed again, is the same site"


def test_a_taken_credit_code_names_the_site_that_has_it_when_the_user_may_see_it(plan, unit, make_user):
    SiteFactory(name="杭州安顺餐饮店", credit_code="91330100799655058B", unit=unit("330103002051"))
    SiteFactory(name="天水某公司", credit_code="91110000802100433B", unit=unit("330103003051"))
    user = make_user(Role.STREET_STAFF, unit("330103002"))
    data = {"name": "新场所", "unit": unit("330103002051").pk, "category": "enterprise"}
    with override("zh-hans"):
        form = SiteForm({**data, "credit_code": "91330100799655058b"}, user=user)
        taken = "统一社会信用代码 91330100799655058B 已被生产经营单位“杭州安顺餐饮店”使用。"
        assert form.errors["credit_code"] == [taken]
        form = SiteForm({**data, "credit_code": "91110000802100433B"}, user=user)
        # Outside the user's street: the code is taken, but whose it is is not theirs to learn.
        assert form.errors["credit_code"] == ["统一社会信用代码 91110000802100433B 已被另一家生产经营单位使用。"]
