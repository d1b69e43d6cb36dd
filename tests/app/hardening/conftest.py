"""The provider-area fixtures, shared with the hardening tests (issue #15)."""

from ..provider.conftest import group, other, trusted  # noqa: F401
