"""A multipart create body read as the object its schema describes, and its image uploads
checked: decoded through `videos_contract.probe` and held to the requested frame size.

Text parts are read with form semantics (every value is text, coerced by the property's
schema); a reference object may come as a JSON part or as bracket fields
(`input_reference[image_url]`); a file field takes a file part with a file name.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from PIL import Image

from videos_contract.mock.bodies import MultipartForm, Part, loads_json
from videos_contract.mock.errors import ApiError
from videos_contract.mock.validation import BodyRules
from videos_contract.probe import probe_image
from videos_contract.schema import coerce_text
from videos_contract.spec import Spec

__all__ = ["Uploads"]

_BRACKET = re.compile(r"([^\[\]]+)\[([^\[\]]+)\]")


class Uploads:
    """The upload rules of one spec: which image media types each file field accepts."""

    def __init__(self, spec: Spec) -> None:
        self.accepted = _read_upload_types(spec)

    def form_instance(
        self, form: MultipartForm, rules: BodyRules
    ) -> tuple[dict[str, Any], dict[str, Part]]:
        """Multipart parts as the object the body schema describes, and the file parts."""
        instance: dict[str, Any] = {}
        uploads: dict[str, Part] = {}
        file_fields = rules.file_fields()
        bracketed: set[str] = set()
        for part in form.parts:
            name = part.name
            if (name in instance and name not in bracketed) or name in uploads:
                raise _duplicate(name)
            bracket = _BRACKET.fullmatch(name)
            shape = rules.object_form(bracket.group(1)) if bracket else None
            if bracket and shape is not None:
                base, key = bracket.groups()
                if (base in instance and base not in bracketed) or base in uploads:
                    raise _duplicate(base)
                target = instance.setdefault(base, {})
                if key in target:
                    raise _duplicate(name)
                if part.is_file:
                    raise _not_text(name)
                bracketed.add(base)
                target[key] = coerce_text(part.text(), shape.get("properties", {}).get(key, {}))
                continue
            if name in bracketed:
                raise _duplicate(name)
            if name in file_fields:
                if part.is_file:
                    if not part.filename:
                        raise _no_filename(name)
                    instance[name] = ""  # stands for the upload while the schema is checked
                    uploads[name] = part
                else:
                    instance[name] = self._reference_object(name, part)
                continue
            prop = rules.properties.get(name)
            if part.is_file:
                if prop is not None:
                    raise _not_text(name)
                instance[name] = ""
                continue
            text = part.text()
            instance[name] = coerce_text(text, prop) if prop is not None else text
        return instance, uploads

    def _formats(self, name: str) -> str:
        return ", ".join(t.split("/")[1].upper() for t in self.accepted.get(name, ()))

    def _reference_object(self, name: str, part: Part) -> Any:
        """A JSON part in a file field: it must hold the reference object."""
        try:
            value = loads_json(part.text(), prefix=name)
        except (ValueError, RecursionError):
            value = None
        if not isinstance(value, dict):
            formats = self._formats(name)
            raise ApiError(
                400,
                f"Invalid '{name}': expected an image file part ({formats or 'an image'}, with "
                "a file name) or a reference object sent as a JSON part, such as "
                '{"image_url": "https://..."}; got plain text.',
                param=name,
                code="invalid_type",
            )
        return value

    def check(self, name: str, part: Part, size: str) -> dict[str, Any]:
        """Decode the uploaded image and hold it to the requested frame size; the reference
        as the job keeps it. Blocks on decoding: call it from a worker thread."""
        accepted = self.accepted.get(name, ())
        formats = self._formats(name) or "image"
        assert part.file is not None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                # The header first, so that a wrong format or size is named as such even when
                # the rest of the file would not decode; then every pixel.
                part.file.seek(0)
                header = probe_image(part.file, decode=False)
                shown = header.format.upper()
                found = Image.MIME.get(shown, "")
                if accepted and found not in accepted:
                    raise ApiError(
                        400,
                        f"Invalid '{name}': the file is {shown or 'not an image'}; "
                        f"expected {formats}.",
                        param=name,
                        code="invalid_image_format",
                    )
                if header.size != size:
                    raise ApiError(
                        400,
                        f"Invalid '{name}': the image is {header.size} but the requested size "
                        f"is {size}; the reference image must match the video size.",
                        param=name,
                        code="invalid_image_size",
                    )
                part.file.seek(0)
                probe_image(part.file)
        except ApiError:
            raise
        except Exception:
            raise ApiError(
                400,
                f"Invalid '{name}': the uploaded file is not a decodable {formats} image.",
                param=name,
                code="invalid_image",
            ) from None
        return {"type": "upload", "format": found, "bytes": part.size}


def _read_upload_types(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Image media types each file field accepts, from the multipart `encoding`."""
    accepted: dict[str, tuple[str, ...]] = {}
    for operation in spec.operations():
        content = operation.request_media_types.get("multipart/form-data")
        if not content:
            continue
        for name, encoding in content.get("encoding", {}).items():
            types = [t.strip().lower() for t in str(encoding.get("contentType", "")).split(",")]
            accepted[name] = tuple(t for t in types if t.startswith("image/"))
    return accepted


def _duplicate(name: str) -> ApiError:
    return ApiError(
        400,
        f"Invalid '{name}': the field is given more than once.",
        param=name,
        code="duplicate_parameter",
    )


def _no_filename(name: str) -> ApiError:
    """The spec asks for a file part with a file name, as real servers do."""
    return ApiError(
        400,
        f"Invalid '{name}': the file part has no file name. Send it as "
        f'Content-Disposition: form-data; name="{name}"; filename="reference.png".',
        param=name,
        code="missing_filename",
    )


def _not_text(name: str) -> ApiError:
    return ApiError(
        400,
        f"Invalid type for '{name}': expected a text field, but got a file upload.",
        param=name,
        code="invalid_type",
    )
