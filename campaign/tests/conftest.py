"""The campaign's test fixtures, from the modules that define them."""

from campaign.tests.accident_fixtures import people, record, sector  # noqa: F401 (fixtures)
