"""Hypothesis settings for every property test: no verdict rests on how fast a busy machine runs an example.

Hypothesis fails an example that takes longer than its deadline (200 ms by default), and a test whose first inputs take
more than a second to draw (HealthCheck.too_slow): on a machine whose cores other processes share, a scheduler pause
does both, and the test fails for the time it was not running, which says nothing of what it checks. The tests that
care how time grows measure processor time and compare sizes (test_reader, test_redaction). The profile is loaded
here, before any test module makes its own settings, so that each inherits it; what the environment chose before
(Hypothesis's own "ci" profile, derandomized) is kept.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "notify-schemas",
    settings(
        settings.default,
        deadline=None,
        suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.too_slow],
    ),
)
settings.load_profile("notify-schemas")
