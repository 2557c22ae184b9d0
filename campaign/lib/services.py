"""What every service function shares."""

from collections.abc import Iterable


def refuse_unknown_fields(service: str, fields: Iterable[str], known: Iterable[str]) -> None:
    """A service that takes field values by name refuses a name it does not set, as a
    function refuses an unexpected keyword: a value dropped silently is a write that
    the caller believes was made."""
    unknown = set(fields) - set(known)
    if unknown:
        raise TypeError(f"{service}() does not set {', '.join(sorted(unknown))}")
