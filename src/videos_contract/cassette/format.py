"""The cassette format: a directory of a manifest, a journal and body files.

A cassette is a directory (the format is described in `docs/cassettes.md`):

* `cassette.json`, the manifest: format name, version, the upstream origin (no credentials),
  when the recording started and, once closed, when it ended and which exchanges belong to
  which job. Written at start and replaced atomically at `close`.
* `exchanges.jsonl`, the journal: one JSON line per event (`begin`, `response`, `end`), each
  written with one unbuffered `write`, so a recorder killed mid-download leaves every event
  before the kill on disk. An exchange with no `end` is read back as incomplete.
* `bodies/`, the bodies that are not small JSON: media and multipart uploads, streamed to
  disk chunk by chunk (never held whole), each described in its `end` event by length and
  sha256.
"""

from __future__ import annotations

__all__ = [
    "BODIES_DIR",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "INLINE_JSON_LIMIT",
    "JOURNAL_NAME",
    "MANIFEST_NAME",
    "CassetteError",
]


FORMAT_NAME = "videos-contract-cassette"


FORMAT_VERSION = 1


MANIFEST_NAME = "cassette.json"


JOURNAL_NAME = "exchanges.jsonl"


BODIES_DIR = "bodies"


#: A JSON body up to this size is kept inline in the journal; a larger one goes to a file.
INLINE_JSON_LIMIT = 256 * 1024


class CassetteError(ValueError):
    """A cassette that cannot be written or read; the message is one line naming the fault."""
