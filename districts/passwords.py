"""Passwords: the platform's rule for a good one, when one has to change, and the user's own change.

The rule (PolicyPasswordValidator, one of AUTH_PASSWORD_VALIDATORS beside Django's similarity,
common-password and all-digits checks) asks for the policy's length, three of the four
character classes, and nothing a guesser tries first: a repeated block, a long run of one
character, a keyboard or alphabet sequence, the district's or city's name."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from districts.models import User

CLASSES = (
    ("lower", re.compile(r"[a-z]")),
    ("upper", re.compile(r"[A-Z]")),
    ("digit", re.compile(r"[0-9]")),
    ("symbol", re.compile(r"[^A-Za-z0-9]")),
)
# Sequences a guesser walks: four characters in a row from any of these, either way.
SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc")
SEQUENCE_LENGTH = 4
RUN_LENGTH = 4
# Names everyone here knows, in pinyin, and the words people put in passwords first.
GUESSABLE_WORDS = ("xiacheng", "hangzhou", "zhejiang", "password", "admin", "qwerty", "anquan")


def _repeated_block(password: str) -> bool:
    """Whether the password is one short block said again and again ('Aa1!Aa1!Aa', 'abcabcabc')."""
    n = len(password)
    return any(all(password[i] == password[i - p] for i in range(p, n)) for p in range(1, n // 2 + 1))


def _run(password: str) -> bool:
    return re.search(rf"(.)\1{{{RUN_LENGTH - 1},}}", password) is not None


def _sequence(password: str) -> bool:
    lowered = password.lower()
    for sequence in SEQUENCES:
        for line in (sequence, sequence[::-1]):
            for i in range(len(line) - SEQUENCE_LENGTH + 1):
                if line[i : i + SEQUENCE_LENGTH] in lowered:
                    return True
    return False


class PolicyPasswordValidator:
    """Length from the security policy, three of four character classes, no pattern."""

    def _min_length(self) -> int:
        from districts.policy import current_policy

        return current_policy().password_min_length

    def _min_length_known(self) -> int:
        # Django builds some forms' help texts at import time, before any query may run.
        from districts.policy import peek_policy

        return peek_policy().password_min_length

    def validate(self, password, user=None):
        errors = []
        min_length = self._min_length()
        if len(password) < min_length:
            errors.append(
                ValidationError(
                    ngettext(
                        "This password is too short: it needs at least %(min_length)d character.",
                        "This password is too short: it needs at least %(min_length)d characters.",
                        min_length,
                    )
                    % {"min_length": min_length},
                    code="password_too_short",
                )
            )
        if sum(1 for _name, pattern in CLASSES if pattern.search(password)) < 3:
            errors.append(
                ValidationError(
                    _(
                        "Use at least three of the four kinds of character: lower-case letters, "
                        "capital letters, digits and symbols."
                    ),
                    code="password_too_simple",
                )
            )
        if _repeated_block(password) or _run(password) or _sequence(password):
            errors.append(
                ValidationError(
                    _(
                        "This password is too easy to guess: it repeats itself or follows a sequence "
                        "(such as aaaa, Aa1!Aa1!, abcd, 1234 or qwer)."
                    ),
                    code="password_patterned",
                )
            )
        lowered = password.lower()
        if any(word in lowered for word in GUESSABLE_WORDS):
            errors.append(
                ValidationError(
                    _(
                        "This password contains a word guessers try first, such as the district's or "
                        "the city's name in pinyin, or “password”."
                    ),
                    code="password_guessable_word",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _(
            "At least %(min_length)d characters, with at least three of: lower-case letters, capital "
            "letters, digits and symbols; no repetition or sequence (aaaa, abcd, 1234), and not the "
            "district's or city's name."
        ) % {"min_length": self._min_length_known()}


def password_change_reason(user: User) -> str | None:
    """Why `user` must change their password before anything else: "reset", "expired" or None."""
    if not user.is_authenticated or not user.has_usable_password():
        return None
    if user.must_change_password:
        return "reset"
    from districts.policy import current_policy

    changed_at = user.password_changed_at or user.date_joined
    if timezone.now() - changed_at > timezone.timedelta(days=current_policy().password_expiry_days):
        return "expired"
    return None


def user_password_change(*, user: User, new_password: str) -> User:
    """The user's own change of their password (its checks are the form's): it no longer has to change."""
    user.set_password(new_password)
    user.must_change_password = False
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user._history_user = user
        user.save()
    return user
