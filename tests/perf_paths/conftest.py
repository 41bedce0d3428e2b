"""The IVR's demo data and caller helpers, reused for the fast paths' tests."""

from tests.ivr.conftest import demo, phone  # noqa: F401 - fixtures
