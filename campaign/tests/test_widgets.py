"""Every date input of the platform's forms and filters is the browser's picker with an ISO
value: a date drawn in the Chinese format (2026年11月23日) shows as a blank picker, and the
form cannot be sent again as it stands."""

import copy
import datetime
import importlib
import inspect

import django_filters
import pytest
from django import forms
from django.utils import translation

from campaign.lib.widgets import DatePicker, DateTimePicker

MODULES = [
    "audit.filters",
    "districts.filters",
    "districts.forms",
    "hazards.filters",
    "hazards.forms",
    "reporting.filters",
    "reporting.forms",
    "risks.filters",
    "risks.forms",
]


def _date_fields():
    for name in MODULES:
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            if issubclass(cls, forms.BaseForm):
                fields = cls.base_fields
            elif issubclass(cls, django_filters.FilterSet):
                # Copies: a class's filters build their field once and keep it, and a field
                # built here (at collection) would outlive every filter set's own querysets.
                fields = {n: f.field for n, f in copy.deepcopy(cls.base_filters).items()}
            else:
                continue
            for field_name, field in fields.items():
                if isinstance(field, forms.DateField | forms.DateTimeField):
                    yield pytest.param(field, id=f"{name}.{cls_name}.{field_name}")


@pytest.mark.parametrize("field", list(_date_fields()))
def test_every_date_field_is_a_picker_with_an_iso_value(field):
    if isinstance(field, forms.DateTimeField):
        assert isinstance(field.widget, DateTimePicker)
    else:
        assert isinstance(field.widget, DatePicker)


@pytest.mark.parametrize(
    ("widget", "value", "iso"),
    [
        (DatePicker(), datetime.date(2026, 11, 23), "2026-11-23"),
        (DateTimePicker(), datetime.datetime(2026, 11, 23, 9, 30), "2026-11-23T09:30"),
    ],
)
def test_a_picker_draws_its_value_in_iso_in_chinese(widget, value, iso):
    with translation.override("zh-hans"):
        html = widget.render("d", value)
    assert f'value="{iso}"' in html
    assert f'type="{widget.input_type}"' in html
