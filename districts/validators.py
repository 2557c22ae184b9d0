"""The unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capitals without
I, O, Z, S and V): registration authority, organisation type, the six-digit
administrative division code, the nine-character organisation code, and a
check character computed over the first seventeen with the weights below.

Codes typed with a Chinese input method often come in full-width forms
(３３０１０３, ＭＡ２７): normalize_code and normalize_credit_code are the one
place a typed code is made plain, for forms, services, imports and searches.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def credit_code_check_char(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_code(value: str) -> str:
    """A code as typed, made plain: full-width digits, letters and hyphens become
    ASCII (NFKC), and the spaces around it go."""
    return unicodedata.normalize("NFKC", value or "").strip()


def normalize_credit_code(value: str) -> str:
    """A credit code as typed, made plain; its letters are capitals, so lower case
    is upper-cased rather than refused."""
    return normalize_code(value).upper()


def normalize_number(value: str) -> str:
    """A number the platform gave (a hazard's YH…, a risk's R…) as typed, made plain, in capitals."""
    return normalize_code(value).upper()


def validate_credit_code(value: str) -> None:
    code = normalize_credit_code(value)
    if any(ch.isspace() for ch in code):
        raise ValidationError(
            _("A unified social credit code has no spaces inside; remove the spaces."),
            code="space",
        )
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="length",
            params={"count": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        raise ValidationError(
            _("The unified social credit code contains characters it cannot hold: %(chars)s."),
            code="alphabet",
            params={"chars": " ".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the division code and must be digits."),
            code="division",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong: please check the code."),
            code="check",
        )
