from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.video_object import VideoObject, check_video_object
from ..models.video_status import VideoStatus, check_video_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.video_error import VideoError


T = TypeVar("T", bound="Video")


@_attrs_define
class Video:
    """A video generation job and, once it has completed, its result. Every family answers
    `id`, `object`, `model` and `status`; Sora jobs add `progress`, `created_at`, `prompt`,
    `size` and `seconds`, the other families `created`, `duration`, `width`, `height` and
    `url`.

        Attributes:
            id (str): The job's id, opaque (`video_...` from OpenAI, base64 text from the gateway).
            object_ (VideoObject): Always `video`. Default: 'video'.
            model (str): The model that renders the job. Usually one of the request's model values; a
                server may report a dated snapshot name instead, so any string is accepted.
            status (VideoStatus): Where the job is in its lifecycle; `completed` and `failed` are final.
            progress (int | Unset): Rough share of the work done, in percent.
            created_at (int | Unset): When the job was created, in Unix seconds.
            completed_at (int | None | Unset): When the job finished, in Unix seconds; null until then.
            expires_at (int | None | Unset): When the downloadable assets stop being available; null while unknown.
            prompt (None | str | Unset): The prompt the job renders.
            size (str | Unset): The requested frame size or resolution token (Sora).
            seconds (str | Unset): Clip length in seconds as a string. For a job that extends another clip this is
                the combined length, so values other than the request's enum may appear.
            remixed_from_video_id (None | str | Unset): Id of the source video when this job is a remix; null otherwise.
            error (None | Unset | VideoError): The failure of a `failed` job; null for every other status.
            created (int | Unset): When the job was created, in Unix seconds (families other than Sora).
            duration (int | Unset): Clip length in seconds (families other than Sora).
            width (int | Unset): Frame width in pixels (families other than Sora).
            height (int | Unset): Frame height in pixels (families other than Sora).
            url (None | str | Unset): Where the finished clip downloads from; null until it has completed.
    """

    id: str
    model: str
    status: VideoStatus
    object_: VideoObject = "video"
    progress: int | Unset = UNSET
    created_at: int | Unset = UNSET
    completed_at: int | None | Unset = UNSET
    expires_at: int | None | Unset = UNSET
    prompt: None | str | Unset = UNSET
    size: str | Unset = UNSET
    seconds: str | Unset = UNSET
    remixed_from_video_id: None | str | Unset = UNSET
    error: None | Unset | VideoError = UNSET
    created: int | Unset = UNSET
    duration: int | Unset = UNSET
    width: int | Unset = UNSET
    height: int | Unset = UNSET
    url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.video_error import VideoError  # noqa: PLC0415

        id = self.id

        object_: str = self.object_

        model = self.model

        status: str = self.status

        progress = self.progress

        created_at = self.created_at

        completed_at: int | None | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        else:
            completed_at = self.completed_at

        expires_at: int | None | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

        prompt: None | str | Unset
        if isinstance(self.prompt, Unset):
            prompt = UNSET
        else:
            prompt = self.prompt

        size = self.size

        seconds = self.seconds

        remixed_from_video_id: None | str | Unset
        if isinstance(self.remixed_from_video_id, Unset):
            remixed_from_video_id = UNSET
        else:
            remixed_from_video_id = self.remixed_from_video_id

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, VideoError):
            error = self.error.to_dict()
        else:
            error = self.error

        created = self.created

        duration = self.duration

        width = self.width

        height = self.height

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "model": model,
                "status": status,
            }
        )
        if progress is not UNSET:
            field_dict["progress"] = progress
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if size is not UNSET:
            field_dict["size"] = size
        if seconds is not UNSET:
            field_dict["seconds"] = seconds
        if remixed_from_video_id is not UNSET:
            field_dict["remixed_from_video_id"] = remixed_from_video_id
        if error is not UNSET:
            field_dict["error"] = error
        if created is not UNSET:
            field_dict["created"] = created
        if duration is not UNSET:
            field_dict["duration"] = duration
        if width is not UNSET:
            field_dict["width"] = width
        if height is not UNSET:
            field_dict["height"] = height
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.video_error import VideoError  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        object_ = check_video_object(d.pop("object"))

        model = d.pop("model")

        status = check_video_status(d.pop("status"))

        progress = d.pop("progress", UNSET)

        created_at = d.pop("created_at", UNSET)

        def _parse_completed_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_expires_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt = _parse_prompt(d.pop("prompt", UNSET))

        size = d.pop("size", UNSET)

        seconds = d.pop("seconds", UNSET)

        def _parse_remixed_from_video_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        remixed_from_video_id = _parse_remixed_from_video_id(d.pop("remixed_from_video_id", UNSET))

        def _parse_error(data: object) -> None | Unset | VideoError:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = VideoError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VideoError, data)

        error = _parse_error(d.pop("error", UNSET))

        created = d.pop("created", UNSET)

        duration = d.pop("duration", UNSET)

        width = d.pop("width", UNSET)

        height = d.pop("height", UNSET)

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

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
            created=created,
            duration=duration,
            width=width,
            height=height,
            url=url,
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
