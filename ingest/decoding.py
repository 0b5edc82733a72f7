"""Bytes to text for article files: binary sniffing and the encodings legacy pages use."""

from __future__ import annotations

SNIFF_BYTES = 8192
_CONTROL_RATIO = 0.1  # more control characters than this and it is not text
_ALLOWED_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1b")


def is_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first block mean a binary file."""
    head = data[:SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in _ALLOWED_CONTROLS)
    return bool(head) and controls / len(head) > _CONTROL_RATIO


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM stripped); otherwise cp1252, the usual encoding of legacy Western pages."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # total: every byte maps to a character
