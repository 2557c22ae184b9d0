"""Every model of the platform is audited: it keeps history (mirrored into the trail), or is
declared an append-only record of events (its rows are never changed), or says why not."""

import pytest
from django.apps import apps
from django.conf import settings

PLATFORM_APPS = set(settings.PLATFORM_APPS)


def platform_models():
    for model in apps.get_models():
        if model._meta.app_label in PLATFORM_APPS and not model.__name__.startswith("Historical"):
            yield model


@pytest.mark.parametrize("model", list(platform_models()), ids=lambda m: m._meta.label)
def test_every_model_keeps_history_or_is_declared_append_only_or_exempt(model):
    has_history = hasattr(model._meta, "simple_history_manager_attribute")
    append_only = getattr(model, "audit_append_only", False)
    exempt = getattr(model, "audit_exempt", "")
    assert has_history or append_only or exempt, (
        f"{model._meta.label} has no history: add HistoricalRecords(), or declare "
        "`audit_append_only = True` (rows never change) or `audit_exempt = 'why'`"
    )
    assert not (has_history and exempt), f"{model._meta.label} keeps history yet says it is exempt"
