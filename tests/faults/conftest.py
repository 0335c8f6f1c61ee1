"""The campaigns' and journeys' fixtures (test message backends, an SMS template, a clock moved by hand)."""

from tests.campaigns.conftest import _test_backends, sms_template  # noqa: F401 (fixtures)
from tests.campaigns.journeys.conftest import clock  # noqa: F401 (a fixture)
