"""Login throttling (issue 14): a window per address (every attempt) and per user (failures)."""
import pytest

from gateway.throttle import LoginThrottle
from services.common.errors import TooManyRequests


def test_the_address_window_counts_every_attempt():
    t = LoginThrottle(per_user="100/minute", per_address="3/minute")
    for n in range(3):
        t.before(f"user{n}", "10.0.0.1")
    with pytest.raises(TooManyRequests) as refused:
        t.before("user9", "10.0.0.1")
    assert refused.value.rule == "SYS-02" and refused.value.status == 429
    t.before("user9", "10.0.0.2")                          # another address is free


def test_the_user_window_counts_failures_whatever_the_case_of_the_name():
    t = LoginThrottle(per_user="2/minute", per_address="100/minute")
    t.before("Li", "a")
    t.failed("Li")
    t.before("li", "a")
    t.failed("LI")
    with pytest.raises(TooManyRequests) as refused:
        t.before("li", "a")                                  # even with the right password
    assert refused.value.field == "username"
    t.before("zhang", "a")


def test_logins_beyond_the_gate_are_refused_at_once_not_queued():
    t = LoginThrottle(concurrency=2)
    with t.gate.slot(), t.gate.slot():
        with pytest.raises(TooManyRequests) as refused:
            with t.gate.slot():
                pass
        assert refused.value.rule == "SYS-02" and refused.value.status == 429
    with t.gate.slot():                                       # the slots came back
        pass


def test_a_failed_login_gives_its_slot_back():
    t = LoginThrottle(concurrency=1)
    with pytest.raises(ValueError):
        with t.gate.slot():
            raise ValueError("attendance said no")
    with t.gate.slot():
        pass
