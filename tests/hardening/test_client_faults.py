"""The client helpers under the mock's fault modes: `create` is never sent twice, and `wait`
and `download` either succeed or raise a clear error within their deadline.

The jobs are set up through a clean app and driven through a faulty one that shares its job
store, so that every fault lands on the helper under test. The server counts every request it
receives: that count, not the client's word, proves a create went out once.

No test reads a clock. That a helper keeps to its deadline is shown by what it does, on any
machine: the pauses it takes (its own and its retry transport's, recorded by `Pauses`) add up
to no more than the deadline, since each is cut to the time left; and an answer slower than
the deadline would have made the call succeed, so a deadline error proves it was not waited
for.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.models.video_model import check_video_model

from tests.support.hardening import Counting, serving
from videos_contract.client import (
    ApiError,
    DownloadError,
    OutcomeUnknownError,
    RetryPolicy,
    WaitTimeoutError,
    connect,
    create,
    download,
    wait,
)
from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, MemoryJobStore, MockConfig, create_app
from videos_contract.mock.media import render_asset

MODEL = check_video_model(families().default_family.models[0])
# The multipart create helper is Sora's, past its sunset: its warning is tested elsewhere.
pytestmark = pytest.mark.filterwarnings(
    "ignore::videos_contract.client.lifecycle.RetiredModelWarning"
)

CREATE = ("POST", "/v1/videos")


class Pauses:
    """A `sleep` that sleeps and remembers each pause, for `wait` and the retry policy."""

    def __init__(self) -> None:
        self.taken: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)
        time.sleep(seconds)

    def total(self) -> float:
        taken, self.taken = sum(self.taken), []
        return taken


@dataclass
class Pair:
    """A clean mock and a faulty one over the same jobs."""

    clean: str
    faulty: str
    counting: Counting
    store: MemoryJobStore
    made: list[AuthenticatedClient]

    def client(
        self,
        *,
        read_timeout: float = 5.0,
        url: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> AuthenticatedClient:
        policy = RetryPolicy(base_delay=0.05, max_delay=0.3, rng=random.Random(3), sleep=sleep)
        client = connect(
            url or self.faulty,
            DEFAULT_KEY,
            policy=policy,
            timeout=httpx.Timeout(read_timeout, connect=5.0),
        )
        self.made.append(client)
        return client

    def ready_job(self) -> str:
        """A job created through the clean mock and already completed."""
        clean = self.client(url=self.clean)
        video = create(clean, model=MODEL, prompt="A fox in the snow.")
        wait(clean, video.id, timeout=30)
        return video.id


PairFactory = Callable[..., Pair]


@pytest.fixture
def pair_factory() -> Iterator[PairFactory]:
    """`pair_factory(**faults)`: a started `Pair` whose faulty mock has `faults`."""
    stack: list[AbstractContextManager[str]] = []
    pairs: list[Pair] = []

    def make(**faults: Any) -> Pair:
        store = MemoryJobStore()
        clean_config = MockConfig(render_seconds=0.2, seed=5)
        faulty_config = replace(clean_config, **faults)
        counting = Counting(create_app(faulty_config, store=store))
        clean = serving(create_app(clean_config, store=store), clean_config)
        faulty = serving(counting, faulty_config)
        stack.extend([clean, faulty])
        pair = Pair(clean.__enter__(), faulty.__enter__(), counting, store, [])
        pairs.append(pair)
        return pair

    yield make
    for pair in pairs:
        for client in pair.made:
            client.get_httpx_client().close()
    for context in reversed(stack):
        context.__exit__(None, None, None)


MODES: dict[str, dict[str, float]] = {
    "500/503 bursts": {"fault_rate": 0.5},
    "429 with Retry-After": {"rate_limit": 2},
    "answers cut mid-body": {"drop_rate": 0.5},
    "answers slower than the timeout": {"slow_rate": 0.4, "slow_seconds": 0.8},
    "everything at once": {
        "fault_rate": 0.2,
        "drop_rate": 0.2,
        "slow_rate": 0.2,
        "slow_seconds": 0.8,
    },
}


@pytest.mark.parametrize("mode", list(MODES))
def test_create_is_sent_once_whatever_happens(pair_factory: PairFactory, mode: str) -> None:
    pair = pair_factory(**MODES[mode])
    client = pair.client(read_timeout=0.5)
    outcomes: list[str] = []
    for index in range(6):
        try:
            create(client, model=MODEL, prompt=f"A fox, take {index}.")
            outcomes.append("created")
        except (ApiError, OutcomeUnknownError) as exc:
            outcomes.append(type(exc).__name__)
    assert pair.counting.requests[CREATE] == 6, (pair.counting.requests, outcomes)
    created = outcomes.count("created")
    unknown = outcomes.count("OutcomeUnknownError")
    # Jobs whose answer was lost may exist; none exists that no request asked for.
    assert created <= len(pair.store) <= created + unknown


# Each mode alone runs in `make test-all`; the mix of all of them in `make test` too.
@pytest.mark.parametrize(
    "mode",
    [
        mode if mode == "everything at once" else pytest.param(mode, marks=pytest.mark.slow)
        for mode in MODES
    ],
)
def test_wait_and_download_succeed_or_fail_clearly_within_their_deadline(
    pair_factory: PairFactory, mode: str, tmp_path: Path
) -> None:
    pair = pair_factory(**MODES[mode])
    job = pair.ready_job()
    pauses = Pauses()
    client = pair.client(read_timeout=0.5, sleep=pauses)
    expected = _asset(pair, job)
    results: list[str] = []
    for attempt in range(2):
        try:
            video = wait(client, job, timeout=4.0, interval=0.1, sleep=pauses)
            assert video.status == "completed"
            results.append("waited")
        except WaitTimeoutError as exc:
            assert exc.timeout == 4.0 and "after 4 s" in str(exc)
            results.append(type(exc).__name__)
        except ApiError as exc:
            results.append(type(exc).__name__)
        assert pauses.total() <= 4.0, "a pause ran past the deadline"
        dest = tmp_path / f"clip{attempt}.mp4"
        try:
            result = download(client, job, dest, timeout=4.0)
            assert dest.read_bytes() == expected and result.size == len(expected)
            results.append("downloaded")
        except (DownloadError, ApiError) as exc:
            assert not dest.exists(), "a failed download left a file behind"
            results.append(type(exc).__name__)
        assert pauses.total() <= 4.0, "a pause ran past the deadline"
    assert pair.counting.requests[CREATE] == 0
    # Below 100% faults, retries and resumptions get each helper through at least once.
    assert "waited" in results and "downloaded" in results, results


def _owner() -> str:
    from videos_contract.mock.service import MockService

    return MockService.owner_id(DEFAULT_KEY)


def _asset(pair: Pair, job: str) -> bytes:
    """The MP4 the mock serves for `job`."""
    found = pair.store.get(_owner(), job)
    assert found is not None
    return render_asset("video/mp4", found.size, found.seconds)


# -- each fault at its extreme: what exactly happens ------------------------------------------


def test_every_answer_an_error_ends_wait_at_its_deadline_saying_why(
    pair_factory: PairFactory,
) -> None:
    pair = pair_factory(fault_rate=1.0)
    job = pair.ready_job()
    pauses = Pauses()
    retrieve = ("GET", f"/v1/videos/{job}")
    with pytest.raises(WaitTimeoutError) as caught:
        # Not a whole number of the mock's `Retry-After: 1`: a pause past the deadline shows.
        wait(pair.client(sleep=pauses), job, timeout=1.5, interval=0.1, sleep=pauses)
    assert caught.value.timeout == 1.5 and "not finished after 1.5 s" in str(caught.value)
    assert caught.value.problem is not None and "HTTP 50" in str(caught.value)
    # It paused after the errors (as their Retry-After says) rather than give up at the first,
    # and every pause it took, its own and its transport's backoffs, fit in the deadline: none
    # ran past it.
    assert pair.counting.requests[retrieve] >= 2 and pauses.taken
    assert pauses.total() <= 1.5


def test_an_answer_slower_than_the_deadline_is_not_waited_for(
    pair_factory: PairFactory, tmp_path: Path
) -> None:
    pair = pair_factory(slow_rate=1.0, slow_seconds=3.0)
    job = pair.ready_job()
    # The client's own read timeout (30 s) is longer than the deadline: the deadline wins.
    # Waited for, the answer (after 3 s) says `completed` and the asset is whole: both calls
    # would succeed. Their deadline errors show they stopped waiting at 1 s.
    with pytest.raises(WaitTimeoutError) as caught:
        wait(pair.client(read_timeout=30.0), job, timeout=1.0)
    assert "did not answer a poll within 1 s" in str(caught.value)
    assert caught.value.video is None
    with pytest.raises(DownloadError, match="not complete after 1 s"):
        download(pair.client(read_timeout=30.0), job, tmp_path / "clip.mp4", timeout=1.0)
    assert list(tmp_path.iterdir()) == []


def test_a_download_cut_every_time_gives_up_after_its_resumptions(
    pair_factory: PairFactory, tmp_path: Path
) -> None:
    pair = pair_factory(drop_rate=1.0)
    job = pair.ready_job()
    dest = tmp_path / "clip.mp4"
    with pytest.raises(DownloadError, match="gave up after 5 resumptions"):
        download(pair.client(), job, dest, max_resumes=5)
    assert pair.counting.requests[("GET", f"/v1/videos/{job}/content")] == 6
    # The mock names the asset's validators (ETag, Last-Modified): what came is kept, with
    # what the next run needs to resume from it, and nothing is at the target.
    assert not dest.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4.part", "clip.mp4.part.json"]
    kept = (tmp_path / "clip.mp4.part").read_bytes()
    assert 0 < len(kept) < len(_asset(pair, job)) and _asset(pair, job).startswith(kept)


def test_a_download_cut_half_the_time_resumes_to_the_exact_bytes(
    pair_factory: PairFactory, tmp_path: Path
) -> None:
    pair = pair_factory(drop_rate=0.5)
    job = pair.ready_job()
    dest = tmp_path / "clip.mp4"
    result = download(pair.client(), job, dest, max_resumes=20, timeout=20)
    assert dest.read_bytes() == _asset(pair, job)
    # The faults are seeded: this run's first answer is cut, so the bytes came in pieces.
    assert result.resumes > 0 and result.restarts == 0
    # Every resumption was a range request answered 206, and nothing else was sent.
    assert pair.counting.statuses[206] == result.resumes
    assert pair.counting.requests[("GET", f"/v1/videos/{job}/content")] == 1 + result.resumes


def test_a_create_whose_answer_is_cut_is_not_sent_again(pair_factory: PairFactory) -> None:
    pair = pair_factory(drop_rate=1.0)
    with pytest.raises(OutcomeUnknownError, match="list the videos"):
        create(pair.client(), model=MODEL, prompt="A fox.")
    assert pair.counting.requests[CREATE] == 1
    assert len(pair.store) == 1  # the job exists: that is why it must not be sent again


def test_a_slow_create_times_out_once_and_is_not_sent_again(pair_factory: PairFactory) -> None:
    pair = pair_factory(slow_rate=1.0, slow_seconds=1.0)
    with pytest.raises(OutcomeUnknownError):
        create(pair.client(read_timeout=0.3), "A fox.", model=MODEL)
    assert pair.counting.requests[CREATE] == 1


def test_a_rate_limited_create_is_refused_not_retried(pair_factory: PairFactory) -> None:
    pair = pair_factory(rate_limit=1)
    client = pair.client()
    create(client, model=MODEL, prompt="A fox.")
    with pytest.raises(ApiError) as caught:
        create(client, model=MODEL, prompt="A second fox.")
    assert caught.value.status_code == 429 and caught.value.retry_after is not None
    assert pair.counting.requests[CREATE] == 2


def test_wait_rides_out_a_rate_limit_by_its_retry_after(pair_factory: PairFactory) -> None:
    pair = pair_factory(rate_limit=2)
    job = pair.ready_job()
    video = wait(pair.client(), job, timeout=20, interval=0.05)
    assert video.status == "completed"
