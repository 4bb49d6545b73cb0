"""What the server under test uses, read from /proc: gunicorn's RSS (master + workers, VmRSS
summed) and the CPU seconds of gunicorn and of one database's PostgreSQL backends (utime + stime
of /proc/<pid>/stat), sampled by the caller every few seconds."""
import os
import time
from pathlib import Path

import sqlalchemy as sa

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat's fields after the command name (field 3, state, is [0])."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def cpu_seconds(pid: int) -> float | None:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else None


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class ServerWatch:
    """Samples gunicorn (master + its children) and this database's PostgreSQL backends:
    RSS summed, and CPU seconds used since the first sample (a process that started later
    counts from zero; one that ended counts up to its last sample)."""

    EVERY = 10  # seconds between samples, as the caller takes them

    def __init__(self, master: int, database_url: str):
        self.master = master
        self.engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
        self.rss = []  # (seconds since start, MB, processes)
        self.cpu = {"gunicorn": {}, "postgres": {}}  # pid -> [first, last]
        self.started = time.monotonic()

    def gunicorn_pids(self) -> list[int]:
        pids = [self.master]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                fields = _stat(int(entry.name))
                if fields and int(fields[1]) == self.master:
                    pids.append(int(entry.name))
        return pids

    def backend_pids(self) -> list[int]:
        with self.engine.connect() as connection:
            return list(connection.scalars(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")))

    def sample(self, first: bool = False) -> None:
        gunicorn_pids = self.gunicorn_pids()
        self.rss.append((time.monotonic() - self.started,
                         sum(rss_mb(pid) for pid in gunicorn_pids), len(gunicorn_pids)))
        for name, pids in (("gunicorn", gunicorn_pids), ("postgres", self.backend_pids())):
            for pid in pids:
                used = cpu_seconds(pid)
                if used is not None:
                    self.cpu[name].setdefault(pid, [used if first else 0.0, used])[1] = used

    def cpu_used(self, name: str) -> float:
        return sum(last - first for first, last in self.cpu[name].values())

    def slope_mb_per_minute(self) -> float | None:
        """Least-squares slope of the RSS samples of the run's second half."""
        half = self.rss[-1][0] / 2
        points = [(t, mb) for t, mb, _ in self.rss if t >= half]
        if len(points) < 2:
            return None
        mean_t = sum(t for t, _ in points) / len(points)
        mean_mb = sum(mb for _, mb in points) / len(points)
        spread = sum((t - mean_t) ** 2 for t, _ in points)
        return 60 * sum((t - mean_t) * (mb - mean_mb) for t, mb in points) / spread

    def close(self) -> None:
        self.engine.dispose()
