"""bench_reporting seeds a calendar, times its pages and leaves the database as it was."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from districts.models import OrgUnit
from reporting.models import Submission

pytestmark = pytest.mark.django_db


def test_the_benchmark_reports_a_fixed_query_count_and_rolls_back(plan):
    units = OrgUnit.objects.count()
    out = StringIO()
    call_command("bench_reporting", units=30, months=6, repeat=1, stdout=out)
    text = out.getvalue()
    assert "seeded 30 filing units × 6 months" in text and "rolled back" in text
    counts = re.findall(r"calendar, .*?ms\s+(\d+) queries", text)
    assert len(counts) == 2 and counts[0] == counts[1]
    assert OrgUnit.objects.count() == units and not Submission.objects.exists()
