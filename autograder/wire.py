"""Plain-data messages between the grader and its worker process.

Everything that crosses from the worker (where student code runs) back to the grader is
JSON: numbers, strings, lists, dicts, and numpy arrays encoded as
``{"__ndarray__": base64, "dtype": ..., "shape": [...]}`` with a dtype from a short
allowlist. Nothing is unpickled, so no object the student built can reach the grader's
process; arrays are rebuilt here from raw bytes.

Frames on the pipe are a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import struct
from typing import Any

import numpy as np

ALLOWED_DTYPES = frozenset(
    {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"}
)
MAX_FRAME_BYTES = 256 * 1024 * 1024
_HEADER = struct.Struct(">I")


class WireError(Exception):
    """A message that does not follow the protocol (corrupt, oversized or forged)."""


def _encode_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        if array.dtype.name not in ALLOWED_DTYPES:
            raise TypeError(f"array dtype {array.dtype} cannot be sent")
        return {
            "__ndarray__": base64.b64encode(array.tobytes()).decode("ascii"),
            "dtype": array.dtype.name,
            "shape": list(array.shape),
        }
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} cannot be sent")


def _decode_hook(obj: dict) -> Any:
    if "__ndarray__" not in obj:
        return obj
    dtype = obj.get("dtype")
    shape = obj.get("shape")
    if dtype not in ALLOWED_DTYPES:
        raise WireError(f"array with disallowed dtype {dtype!r}")
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError(f"array with malformed shape {shape!r}")
    raw = base64.b64decode(obj["__ndarray__"], validate=True)
    # Python integers: a forged shape such as [2**70] cannot overflow the check.
    if math.prod(shape) * np.dtype(dtype).itemsize != len(raw):
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).copy()


def encode(message: Any) -> bytes:
    """Serialize a message (JSON types and numpy arrays) into one frame."""
    body = json.dumps(message, default=_encode_default, allow_nan=True).encode("utf-8")
    if len(body) > MAX_FRAME_BYTES:
        raise WireError(f"message of {len(body)} bytes is over the {MAX_FRAME_BYTES} limit")
    return _HEADER.pack(len(body)) + body


def decode_body(body: bytes) -> Any:
    """Parse the JSON body of one frame, rebuilding arrays. Whatever is wrong with it (bad
    UTF-8 or JSON, nesting too deep to parse, a malformed array) is a :class:`WireError`."""
    try:
        return json.loads(body.decode("utf-8"), object_hook=_decode_hook)
    except WireError:
        raise
    except (UnicodeDecodeError, ValueError, TypeError, KeyError, OverflowError, RecursionError, MemoryError,
            binascii.Error) as error:
        raise WireError(f"corrupt message: {type(error).__name__}: {str(error)[:200]}") from None


def frame_length(header: bytes, limit: int = MAX_FRAME_BYTES) -> int:
    (length,) = _HEADER.unpack(header)
    if length > limit:
        raise WireError(f"message length {length} is over the limit of {limit} bytes")
    return length


HEADER_SIZE = _HEADER.size


def dumps(value: Any) -> str:
    """JSON text for a fixture file (arrays encoded exactly, as on the wire)."""
    return json.dumps(value, default=_encode_default, indent=1, sort_keys=True) + "\n"


def loads(text: str) -> Any:
    """Parse fixture text written by :func:`dumps`."""
    return json.loads(text, object_hook=_decode_hook)
