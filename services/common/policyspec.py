"""A service's policy (SYS-03) as data: each key with its default, the rule it tunes and the
check its value must pass. Pure (rules import it): ``services.common.policy`` stores values.

A value is checked when a manager writes it (422 naming the key and its rule) and a stored
value is never silently replaced by a default when it is read.
"""
from dataclasses import dataclass, field
from datetime import time
from typing import Any, Callable, Mapping


class PolicyValueError(ValueError):
    """A policy value a rule cannot work with; ``key`` and ``rule`` name what was wrong."""

    def __init__(self, key, message, rule="SYS-03"):
        super().__init__(f"{key}: {message}")
        self.key, self.rule, self.message = key, rule, message


@dataclass(frozen=True)
class Key:
    default: Any
    rule: str = "SYS-03"
    doc: str = ""
    check: Callable[[Any], str | None] = field(default=lambda value: None)  # message or None


@dataclass(frozen=True)
class PolicySpec:
    service: str
    keys: Mapping[str, Key]
    # a check across keys: (values) -> (key, message) or None
    across: Callable[[Mapping[str, Any]], tuple[str, str] | None] | None = None

    @property
    def defaults(self) -> dict[str, Any]:
        return {k: _copy(key.default) for k, key in self.keys.items()}

    def with_defaults(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The defaults with ``overrides`` applied, every value checked (PolicyValueError)."""
        values = self.defaults
        for name, value in (overrides or {}).items():
            key = self.keys.get(name)
            if key is None:
                raise PolicyValueError(name, f"unknown {self.service} policy key; known: "
                                       f"{', '.join(sorted(self.keys))}")
            problem = _type_problem(key.default, value) or key.check(value)
            if problem:
                raise PolicyValueError(name, problem, key.rule)
            values[name] = _copy(value)
        if self.across:
            problem = self.across(values)
            if problem:
                name, message = problem
                raise PolicyValueError(name, message, self.keys[name].rule)
        return values


def _copy(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def _type_problem(default, value):
    want = type(default)
    if isinstance(value, bool) != isinstance(default, bool):
        return f"must be {_word(want)}"
    if want is float and isinstance(value, (int, float)):
        return None
    if want in (list, tuple):
        return None if isinstance(value, (list, tuple)) else "must be a list"
    if not isinstance(value, want):
        return f"must be {_word(want)}"
    return None


def _word(kind):
    return {int: "a whole number", float: "a number", str: "a text", bool: "true or false"}.get(
        kind, kind.__name__)


# -- checks the services share ---------------------------------------------------------------

def clock_time(value):
    """"08:30" or "08:30:00"."""
    try:
        time.fromisoformat(value)
    except (TypeError, ValueError):
        return f"must be a clock time HH:MM, got {value!r}"
    return None


def at_least(low):
    return lambda value: None if value >= low else f"must be at least {low}, got {value}"


def between(low, high):
    return lambda value: (None if low <= value <= high
                          else f"must be between {low} and {high}, got {value}")


def one_of(*choices):
    return lambda value: (None if value in choices
                          else f"must be one of {', '.join(choices)}, got {value!r}")


def each(check):
    """Every item of a list passes ``check``."""
    def checker(values):
        for item in values:
            problem = check(item)
            if problem:
                return f"each item {problem}"
        return None
    return checker
