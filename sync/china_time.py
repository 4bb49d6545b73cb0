"""China's clock for a county's data: UTC+8 all year (no daylight saving). A deadline is a day
in China, and cameras record local time without a zone."""
from datetime import UTC, date, datetime, time, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8))


def china_today(now: datetime | None = None) -> date:
    """The calendar day in China, whatever the server's own zone."""
    return (now or datetime.now(UTC)).astimezone(CHINA_TIME).date()


def china_midnight(day: date) -> datetime:
    """The first moment of a Chinese calendar day, in UTC (for filtering stored UTC times)."""
    return datetime.combine(day, time(0), CHINA_TIME).astimezone(UTC)
