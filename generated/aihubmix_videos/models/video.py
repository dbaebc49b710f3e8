from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.video_object import VideoObject, check_video_object
from ..models.video_size import VideoSize, check_video_size
from ..models.video_status import VideoStatus, check_video_status

if TYPE_CHECKING:
    from ..models.video_error import VideoError


T = TypeVar("T", bound="Video")


@_attrs_define
class Video:
    """A video generation job and, once it has completed, its result.

    Attributes:
        id (str): The job's id.
        object_ (VideoObject): Always `video`. Default: 'video'.
        model (str): The model that renders the job. Usually one of the request's model values; a
            server may report a dated snapshot name instead, so any string is accepted.
        status (VideoStatus): Where the job is in its lifecycle; `completed` and `failed` are final.
        progress (int): Rough share of the work done, in percent.
        created_at (int): When the job was created, in Unix seconds.
        completed_at (int | None): When the job finished, in Unix seconds; null until then.
        expires_at (int | None): When the downloadable assets stop being available; null while unknown.
        prompt (None | str): The prompt the job renders.
        size (VideoSize): Frame size as `WIDTHxHEIGHT` in pixels.
        seconds (str): Clip length in seconds as a string. For a job that extends another clip this is
            the combined length, so values other than the request's enum may appear.
        remixed_from_video_id (None | str): Id of the source video when this job is a remix; null otherwise.
        error (None | VideoError): The failure of a `failed` job; null for every other status.
    """

    id: str
    model: str
    status: VideoStatus
    progress: int
    created_at: int
    completed_at: int | None
    expires_at: int | None
    prompt: None | str
    size: VideoSize
    seconds: str
    remixed_from_video_id: None | str
    error: None | VideoError
    object_: VideoObject = "video"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.video_error import VideoError  # noqa: PLC0415

        id = self.id

        object_: str = self.object_

        model = self.model

        status: str = self.status

        progress = self.progress

        created_at = self.created_at

        completed_at: int | None
        completed_at = self.completed_at

        expires_at: int | None
        expires_at = self.expires_at

        prompt: None | str
        prompt = self.prompt

        size: str = self.size

        seconds = self.seconds

        remixed_from_video_id: None | str
        remixed_from_video_id = self.remixed_from_video_id

        error: dict[str, Any] | None
        if isinstance(self.error, VideoError):
            error = self.error.to_dict()
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "model": model,
                "status": status,
                "progress": progress,
                "created_at": created_at,
                "completed_at": completed_at,
                "expires_at": expires_at,
                "prompt": prompt,
                "size": size,
                "seconds": seconds,
                "remixed_from_video_id": remixed_from_video_id,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.video_error import VideoError  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        object_ = check_video_object(d.pop("object"))

        model = d.pop("model")

        status = check_video_status(d.pop("status"))

        progress = d.pop("progress")

        created_at = d.pop("created_at")

        def _parse_completed_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        def _parse_expires_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        def _parse_prompt(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        prompt = _parse_prompt(d.pop("prompt"))

        size = check_video_size(d.pop("size"))

        seconds = d.pop("seconds")

        def _parse_remixed_from_video_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        remixed_from_video_id = _parse_remixed_from_video_id(d.pop("remixed_from_video_id"))

        def _parse_error(data: object) -> None | VideoError:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = VideoError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | VideoError, data)

        error = _parse_error(d.pop("error"))

        video = cls(
            id=id,
            object_=object_,
            model=model,
            status=status,
            progress=progress,
            created_at=created_at,
            completed_at=completed_at,
            expires_at=expires_at,
            prompt=prompt,
            size=size,
            seconds=seconds,
            remixed_from_video_id=remixed_from_video_id,
            error=error,
        )

        video.additional_properties = d
        return video

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
