"""Contains all the data models used in inputs/outputs"""

from .content_variant import ContentVariant
from .create_video_multipart_request import CreateVideoMultipartRequest
from .dash_scope_input import DashScopeInput
from .dash_scope_media import DashScopeMedia
from .dash_scope_media_type import DashScopeMediaType
from .dash_scope_parameters import DashScopeParameters
from .dash_scope_parameters_aspect_ratio import DashScopeParametersAspectRatio
from .dash_scope_parameters_ratio import DashScopeParametersRatio
from .dash_scope_parameters_resolution import DashScopeParametersResolution
from .dash_scope_video_create import DashScopeVideoCreate
from .dash_scope_video_create_model import DashScopeVideoCreateModel
from .deleted_video import DeletedVideo
from .deleted_video_object import DeletedVideoObject
from .error_detail import ErrorDetail
from .error_response import ErrorResponse
from .image_reference import ImageReference
from .inline_image import InlineImage
from .inline_image_mime_type import InlineImageMimeType
from .jimeng_video_request import JimengVideoRequest
from .jimeng_video_request_duration_type_0 import JimengVideoRequestDurationType0
from .jimeng_video_request_duration_type_1 import JimengVideoRequestDurationType1
from .jimeng_video_request_model import JimengVideoRequestModel
from .jimeng_video_request_seconds_type_0 import JimengVideoRequestSecondsType0
from .jimeng_video_request_seconds_type_1 import JimengVideoRequestSecondsType1
from .jimeng_video_request_size import JimengVideoRequestSize
from .list_order import ListOrder
from .other_video_request import OtherVideoRequest
from .remix_video_request import RemixVideoRequest
from .seedance_options import SeedanceOptions
from .seedance_options_duration import SeedanceOptionsDuration
from .seedance_options_ratio import SeedanceOptionsRatio
from .seedance_options_resolution import SeedanceOptionsResolution
from .seedance_reference import SeedanceReference
from .seedance_reference_role import SeedanceReferenceRole
from .seedance_reference_type import SeedanceReferenceType
from .seedance_url import SeedanceUrl
from .seedance_video_request import SeedanceVideoRequest
from .seedance_video_request_duration import SeedanceVideoRequestDuration
from .seedance_video_request_model import SeedanceVideoRequestModel
from .seedance_video_request_ratio import SeedanceVideoRequestRatio
from .seedance_video_request_resolution import SeedanceVideoRequestResolution
from .sora_video_request import SoraVideoRequest
from .veo_video_request import VeoVideoRequest
from .veo_video_request_duration_type_0 import VeoVideoRequestDurationType0
from .veo_video_request_duration_type_1 import VeoVideoRequestDurationType1
from .veo_video_request_model import VeoVideoRequestModel
from .veo_video_request_seconds_type_0 import VeoVideoRequestSecondsType0
from .veo_video_request_seconds_type_1 import VeoVideoRequestSecondsType1
from .veo_video_request_size import VeoVideoRequestSize
from .video import Video
from .video_error import VideoError
from .video_list import VideoList
from .video_list_object import VideoListObject
from .video_model import VideoModel
from .video_object import VideoObject
from .video_seconds import VideoSeconds
from .video_size import VideoSize
from .video_status import VideoStatus
from .wan_video_request import WanVideoRequest
from .wan_video_request_duration_type_0 import WanVideoRequestDurationType0
from .wan_video_request_model import WanVideoRequestModel
from .wan_video_request_seconds_type_0 import WanVideoRequestSecondsType0
from .wan_video_request_size import WanVideoRequestSize

__all__ = (
    "ContentVariant",
    "CreateVideoMultipartRequest",
    "DashScopeInput",
    "DashScopeMedia",
    "DashScopeMediaType",
    "DashScopeParameters",
    "DashScopeParametersAspectRatio",
    "DashScopeParametersRatio",
    "DashScopeParametersResolution",
    "DashScopeVideoCreate",
    "DashScopeVideoCreateModel",
    "DeletedVideo",
    "DeletedVideoObject",
    "ErrorDetail",
    "ErrorResponse",
    "ImageReference",
    "InlineImage",
    "InlineImageMimeType",
    "JimengVideoRequest",
    "JimengVideoRequestDurationType0",
    "JimengVideoRequestDurationType1",
    "JimengVideoRequestModel",
    "JimengVideoRequestSecondsType0",
    "JimengVideoRequestSecondsType1",
    "JimengVideoRequestSize",
    "ListOrder",
    "OtherVideoRequest",
    "RemixVideoRequest",
    "SeedanceOptions",
    "SeedanceOptionsDuration",
    "SeedanceOptionsRatio",
    "SeedanceOptionsResolution",
    "SeedanceReference",
    "SeedanceReferenceRole",
    "SeedanceReferenceType",
    "SeedanceUrl",
    "SeedanceVideoRequest",
    "SeedanceVideoRequestDuration",
    "SeedanceVideoRequestModel",
    "SeedanceVideoRequestRatio",
    "SeedanceVideoRequestResolution",
    "SoraVideoRequest",
    "VeoVideoRequest",
    "VeoVideoRequestDurationType0",
    "VeoVideoRequestDurationType1",
    "VeoVideoRequestModel",
    "VeoVideoRequestSecondsType0",
    "VeoVideoRequestSecondsType1",
    "VeoVideoRequestSize",
    "Video",
    "VideoError",
    "VideoList",
    "VideoListObject",
    "VideoModel",
    "VideoObject",
    "VideoSeconds",
    "VideoSize",
    "VideoStatus",
    "WanVideoRequest",
    "WanVideoRequestDurationType0",
    "WanVideoRequestModel",
    "WanVideoRequestSecondsType0",
    "WanVideoRequestSize",
)
