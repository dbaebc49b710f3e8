"""Cassettes: recorded HTTP exchanges of the Videos API, written safely and read back strictly.

`format` names the parts of a cassette directory (`docs/cassettes.md`), `record` writes one
(`Recorder`, credentials blanked through `videos_contract.credentials`) and `read` reads one
back (`read_cassette`). Standard library only: the proxy records with it and the mock
replays from it.
"""

from videos_contract.cassette.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    INLINE_JSON_LIMIT,
    CassetteError,
)
from videos_contract.cassette.read import Body, Cassette, RecordedExchange, read_cassette
from videos_contract.cassette.record import Exchange, Recorder

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "INLINE_JSON_LIMIT",
    "Body",
    "Cassette",
    "CassetteError",
    "Exchange",
    "RecordedExchange",
    "Recorder",
    "read_cassette",
]
