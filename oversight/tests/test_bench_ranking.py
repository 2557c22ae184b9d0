"""The ranking's benchmark part (oversight.bench.ranking) runs, prints its three figures and
leaves nothing behind."""

import pytest

from districts.models import OrgUnit
from oversight.bench import ranking as bench
from oversight.models import Rollup

pytestmark = pytest.mark.django_db


def test_the_ranking_benchmark_prints_its_figures_and_rolls_its_district_back():
    figures = {}
    bench.run(lambda name, value, unit: figures.__setitem__(name, (value, unit)), repeat=3)
    assert set(figures) == {"ranking_median", "ranking_p95", "ranking_queries"}
    assert figures["ranking_median"][1] == "ms" and figures["ranking_median"][0] > 0
    assert figures["ranking_queries"] == (6, "queries")
    assert not OrgUnit.objects.filter(code=bench.CODE).exists() and not Rollup.objects.exists()
