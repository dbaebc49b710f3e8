"""Build hook: a wheel carries the checkout's `openapi.yaml` as `videos_contract/openapi.yaml`.

Only standard wheels get the copy; an editable install (`make env`) reads the root file, so
the repository keeps exactly one spec.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class SpecAsPackageData(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "standard":
            build_data["force_include"]["openapi.yaml"] = "videos_contract/openapi.yaml"
