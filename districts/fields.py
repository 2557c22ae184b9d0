"""Model fields for codes people type: unit codes and unified social credit codes.

The value is made plain (districts.validators) in to_python, which full_clean and
every query on the field run, so a code typed full-width or in lower case is
checked, stored and looked up as the plain code, whichever way it came in.
"""

from django.core.validators import MaxLengthValidator
from django.db import models

from districts.validators import normalize_code, normalize_credit_code


class CodeField(models.CharField):
    normalize = staticmethod(normalize_code)

    def to_python(self, value):
        value = super().to_python(value)
        return value if value is None else self.normalize(value)


class CreditCodeField(CodeField):
    """Checked by validate_credit_code alone: it says how long the code is, so
    Django's generic length message would only say it a second time."""

    normalize = staticmethod(normalize_credit_code)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def formfield(self, **kwargs):
        # No maxlength in the browser either: a pasted code with spaces in it
        # would be cut short silently instead of the user being told.
        return super().formfield(**{"max_length": None, **kwargs})
