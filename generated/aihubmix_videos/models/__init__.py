"""Contains all the data models used in inputs/outputs"""

from .content_variant import ContentVariant
from .create_video_json_request import CreateVideoJsonRequest
from .create_video_multipart_request import CreateVideoMultipartRequest
from .deleted_video import DeletedVideo
from .deleted_video_object import DeletedVideoObject
from .error_detail import ErrorDetail
from .error_response import ErrorResponse
from .image_reference import ImageReference
from .list_order import ListOrder
from .remix_video_request import RemixVideoRequest
from .video import Video
from .video_error import VideoError
from .video_list import VideoList
from .video_list_object import VideoListObject
from .video_model import VideoModel
from .video_object import VideoObject
from .video_seconds import VideoSeconds
from .video_size import VideoSize
from .video_status import VideoStatus

__all__ = (
    "ContentVariant",
    "CreateVideoJsonRequest",
    "CreateVideoMultipartRequest",
    "DeletedVideo",
    "DeletedVideoObject",
    "ErrorDetail",
    "ErrorResponse",
    "ImageReference",
    "ListOrder",
    "RemixVideoRequest",
    "Video",
    "VideoError",
    "VideoList",
    "VideoListObject",
    "VideoModel",
    "VideoObject",
    "VideoSeconds",
    "VideoSize",
    "VideoStatus",
)
