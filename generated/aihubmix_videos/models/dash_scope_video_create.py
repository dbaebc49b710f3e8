from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.dash_scope_video_create_model import DashScopeVideoCreateModel, check_dash_scope_video_create_model
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dash_scope_input import DashScopeInput
    from ..models.dash_scope_parameters import DashScopeParameters


T = TypeVar("T", bound="DashScopeVideoCreate")


@_attrs_define
class DashScopeVideoCreate:
    """Alibaba HappyHorse (`happyhorse-1.0-t2v`, `happyhorse-1.0-i2v`) in the DashScope-native
    body the gateway passes on to Alibaba: `model` at the top, the prompt and the first
    frame in `input`, the rendering options in `parameters`. This shape is told apart from
    the others by `model` (each family lists its models), never by the presence of
    `input`: a HappyHorse model with the flat body (`prompt` at the top) is refused, and
    so is `input` for a model of another family. The image-to-video model requires the
    first frame (`input.media`); the text-to-video model takes none.

        Attributes:
            model (DashScopeVideoCreateModel):
            input_ (DashScopeInput): What the clip shows: the prompt and, for image-to-video, the first frame.
            parameters (DashScopeParameters | Unset): How the clip is rendered. Every member is optional; the defaults are
                the adapter's
                (it snaps a missing length to 5 seconds and a missing resolution to `720p`).
    """

    model: DashScopeVideoCreateModel
    input_: DashScopeInput
    parameters: DashScopeParameters | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        model: str = self.model

        input_ = self.input_.to_dict()

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model": model,
                "input": input_,
            }
        )
        if parameters is not UNSET:
            field_dict["parameters"] = parameters

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dash_scope_input import DashScopeInput  # noqa: PLC0415
        from ..models.dash_scope_parameters import DashScopeParameters  # noqa: PLC0415

        d = dict(src_dict)
        model = check_dash_scope_video_create_model(d.pop("model"))

        input_ = DashScopeInput.from_dict(d.pop("input"))

        _parameters = d.pop("parameters", UNSET)
        parameters: DashScopeParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = DashScopeParameters.from_dict(_parameters)

        dash_scope_video_create = cls(
            model=model,
            input_=input_,
            parameters=parameters,
        )

        return dash_scope_video_create
