"""Writes to the campaign's records, one module per concern."""
