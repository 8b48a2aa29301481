"""Project-local time (SYS-04): a business day runs midnight to midnight in the project's zone."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


def zone(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_TZ)


def local(now: datetime, tz: str | None = None) -> datetime:
    """``now`` (aware) seen in the project's zone."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: every time in Anchang is timezone-aware")
    return now.astimezone(zone(tz))


def business_day(now: datetime, tz: str | None = None) -> date:
    return local(now, tz).date()


def at(day: date, hhmm: str, tz: str | None = None) -> datetime:
    """The aware instant of local clock time ``hhmm`` ("08:30" or "08:30:00") on ``day``."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zone(tz))


def day_bounds(day: date, tz: str | None = None) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone(tz))
    return start, start + timedelta(days=1)


def iso(value) -> str | None:
    """A date or an instant as ISO-8601 for an answer; None stays None."""
    return value.isoformat() if value is not None else None


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parse_instant(text: str) -> datetime:
    """ISO-8601 with offset; a naive value is read as project-local (Asia/Shanghai).
    Anything else (not a string, not a date and time) raises ValueError saying what is expected."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        raise ValueError(f"not an ISO-8601 date and time such as 2026-03-02T08:30:00+08:00: "
                         f"{str(text)[:40]!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=zone())
