"""The call-control tests' floor and agents, reused: the same whole calls, checked against
Twilio's OpenAPI description."""

from tests.calls.conftest import amy, bob, floor  # noqa: F401  (fixtures)
