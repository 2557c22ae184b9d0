"""Jobs are tried through the imports that run as jobs, in the register's district (its
assessment methods and control rules included): the risks tests' fixtures."""

from risks.tests.conftest import district, district_for_module, unit  # noqa: F401
