"""Where the mock keeps its jobs, and how a job's status follows from the clock.

The store is a small interface (`JobStore`) so that a persistent backend can replace the
in-memory one; handlers only add, get, delete and page. A job's status is not stored: it is
computed from the wall-clock time elapsed since creation, so no background task is needed, a
job seen by two concurrent requests (or two worker processes) is seen the same, and a job read
back from a file after a restart is where the clock says it is.

Stores do not grow without bound: `prune(now)` removes every job whose `prune_at` has passed
(some time after its assets expired, or after it failed); the service calls it now and then.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from videos_contract.protocol import ListOrder, VideoStatus

__all__ = [
    "FAIL_MARKER",
    "Job",
    "JobState",
    "JobStore",
    "MemoryJobStore",
    "StoreUnavailable",
    "UnknownCursor",
    "job_from_dict",
    "job_to_dict",
]

# A prompt containing this text makes its job fail, so clients can test their failure path.
FAIL_MARKER = "[fail]"

# Share of the render time a job spends `queued` before it turns `in_progress`.
_QUEUED_SHARE = 0.1

# The list order as the spec names it (a `Literal` that a test checks against the spec).
Order = ListOrder


@dataclass(frozen=True)
class JobState:
    """A job as seen at one moment."""

    status: VideoStatus
    progress: int
    completed_at: int | None
    expires_at: int | None
    error: dict[str, str] | None


@dataclass(frozen=True)
class Job:
    """A generation job as accepted; everything that changes with time is derived."""

    id: str
    owner: str
    model: str
    prompt: str
    size: str
    seconds: str
    created_at: float
    started: float
    render_seconds: float
    asset_ttl_seconds: float
    fail_at: float | None = None
    remixed_from_video_id: str | None = None
    reference: dict[str, Any] | None = field(default=None, compare=False)
    # Wall-clock time after which the store may forget the job (infinity: never).
    prune_at: float = math.inf

    def state(self, now: float) -> JobState:
        """Status, progress and timestamps at time `now` (on the clock `started` was read
        from: the service uses wall-clock seconds)."""
        elapsed = max(0.0, now - self.started)
        render = self.render_seconds
        if self.fail_at is not None and elapsed >= render * self.fail_at:
            return JobState(
                status="failed",
                progress=int(100 * self.fail_at),
                completed_at=int(self.created_at + render * self.fail_at),
                expires_at=None,
                error={
                    "code": "generation_failed",
                    "message": "The renderer stopped before the clip was finished.",
                },
            )
        if elapsed >= render:
            completed = int(self.created_at + render)
            return JobState(
                status="completed",
                progress=100,
                completed_at=completed,
                expires_at=int(completed + self.asset_ttl_seconds),
                error=None,
            )
        if elapsed < render * _QUEUED_SHARE:
            return JobState("queued", 0, None, None, None)
        progress = min(99, max(1, int(100 * elapsed / render)))
        return JobState("in_progress", progress, None, None, None)

    def expired(self, now: float) -> bool:
        """Whether a completed job's assets are past `expires_at`."""
        state = self.state(now)
        return (
            state.status == "completed"
            and now - self.started >= self.render_seconds + self.asset_ttl_seconds
        )

    def to_api(
        self, now: float, object_name: str, *, accepted: bool = False, style: str = "sora"
    ) -> dict[str, Any]:
        """The `Video` object of the API (`object_name` comes from the spec).

        `accepted` describes the job as the create call answers it: always `queued`, however
        short the render time, as the spec promises. `style` is the family's response style
        (the spec's `x-video-families`): `sora` answers OpenAI's fields, `task` the gateway's
        shape for the other families (`created`, `duration`, `width`, `height`, `url`; no
        `queued` state, which the gateway's page calls Sora's own).
        """
        state = JobState("queued", 0, None, None, None) if accepted else self.state(now)
        if style != "sora":
            width, _, height = self.size.partition("x")
            return {
                "id": self.id,
                "object": object_name,
                "created": int(self.created_at),
                "model": self.model,
                "status": "in_progress" if state.status == "queued" else state.status,
                "prompt": self.prompt,
                "duration": int(self.seconds),
                "width": int(width),
                "height": int(height),
                "url": f"/v1/videos/{self.id}/content" if state.status == "completed" else None,
                "error": state.error,
            }
        return {
            "id": self.id,
            "object": object_name,
            "model": self.model,
            "status": state.status,
            "progress": state.progress,
            "created_at": int(self.created_at),
            "completed_at": state.completed_at,
            "expires_at": state.expires_at,
            "prompt": self.prompt,
            "size": self.size,
            "seconds": self.seconds,
            "remixed_from_video_id": self.remixed_from_video_id,
            "error": state.error,
        }


def job_to_dict(job: Job) -> dict[str, Any]:
    """A job as plain JSON-ready data (infinity becomes None)."""
    data = asdict(job)
    if math.isinf(job.prune_at):
        data["prune_at"] = None
    return data


def job_from_dict(data: dict[str, Any]) -> Job:
    """The inverse of `job_to_dict`."""
    values = dict(data)
    if values.get("prune_at") is None:
        values["prune_at"] = math.inf
    return Job(**values)


class UnknownCursor(LookupError):
    """An `after` cursor that names no job this owner ever had."""


class StoreUnavailable(RuntimeError):
    """The store cannot answer now (its database is down or every connection stays busy);
    the mock answers 503 and the next request tries again."""


class JobStore(Protocol):
    """What the handlers need from a job store; implementations must be thread-safe.

    `blocking` says whether calls may wait on I/O; the service then runs them in a worker
    thread instead of on the event loop. A store may also offer `now()`, the clock its jobs'
    times are read on (a database's, shared by every host); without it the mock reads the
    local wall clock. A call may raise `StoreUnavailable`.
    """

    blocking: bool

    def add(self, job: Job) -> None: ...

    def get(self, owner: str, job_id: str) -> Job | None: ...

    def delete(self, owner: str, job_id: str) -> bool: ...

    def page(
        self, owner: str, *, after: str | None, limit: int, order: Order
    ) -> tuple[list[Job], bool]:
        """Up to `limit` jobs after the cursor, and whether more follow."""
        ...

    def prune(self, now: float) -> int:
        """Forget every job whose `prune_at` is at or before `now`; how many went."""
        ...

    def __len__(self) -> int: ...


class MemoryJobStore:
    """Jobs in a dict, guarded by a lock; deleted ids keep their place as cursors."""

    blocking = False  # every call is a short dict operation under the lock

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, tuple[int, Job]] = {}
        # Position of every id added and not yet pruned, so a page cursor stays valid after its
        # job is deleted and paging neither repeats nor skips a job.
        self._positions: dict[tuple[str, str], int] = {}
        self._prune_at: dict[tuple[str, str], float] = {}
        self._next = 0

    def add(self, job: Job) -> None:
        with self._lock:
            if job.id in self._jobs or (job.owner, job.id) in self._positions:
                raise ValueError(f"duplicate job id {job.id}")
            self._jobs[job.id] = (self._next, job)
            self._positions[(job.owner, job.id)] = self._next
            self._prune_at[(job.owner, job.id)] = job.prune_at
            self._next += 1

    def get(self, owner: str, job_id: str) -> Job | None:
        with self._lock:
            entry = self._jobs.get(job_id)
        if entry is None or entry[1].owner != owner:
            return None
        return entry[1]

    def delete(self, owner: str, job_id: str) -> bool:
        with self._lock:
            entry = self._jobs.get(job_id)
            if entry is None or entry[1].owner != owner:
                return False
            del self._jobs[job_id]
            return True

    def page(
        self, owner: str, *, after: str | None, limit: int, order: Order
    ) -> tuple[list[Job], bool]:
        with self._lock:
            rows = sorted(
                ((pos, job) for pos, job in self._jobs.values() if job.owner == owner),
                key=lambda row: row[0],
            )
            cursor = None
            if after is not None:
                cursor = self._positions.get((owner, after))
                if cursor is None:
                    raise UnknownCursor(after)
        if order == "desc":
            rows.reverse()
        if cursor is not None:
            rows = [row for row in rows if (row[0] > cursor if order == "asc" else row[0] < cursor)]
        jobs = [job for _, job in rows]
        return jobs[:limit], len(jobs) > limit

    def prune(self, now: float) -> int:
        with self._lock:
            gone = [entry for entry, when in self._prune_at.items() if when <= now]
            removed = 0
            for owner, job_id in gone:
                del self._prune_at[(owner, job_id)]
                del self._positions[(owner, job_id)]
                entry = self._jobs.get(job_id)
                if entry is not None and entry[1].owner == owner:
                    del self._jobs[job_id]
                    removed += 1
            return removed

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)
