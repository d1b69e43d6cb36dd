"""Shared test configuration: markers only."""
