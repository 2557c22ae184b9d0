"""Showing a service's refusal on the form the user filled in, keeping what was typed."""

from django.core.exceptions import PermissionDenied, ValidationError


def refusal_onto(form, exc: ValidationError | PermissionDenied) -> None:
    """Errors about a field go under that field; the rest, and permission refusals, above the form."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def attempt(form, save):
    """Run `save` (a service call); a refusal is shown on `form` and None returned."""
    try:
        return save()
    except (ValidationError, PermissionDenied) as exc:
        refusal_onto(form, exc)
    return None
