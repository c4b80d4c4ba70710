"""Which text encoding an export file is in, found without loading the file.

Windows Excel and CRM exports are UTF-8 (with or without a byte-order mark) or Windows-1252
(cp1252). So, in this order:

1. a byte-order mark names the encoding (UTF-8, UTF-16, UTF-32);
2. a file that is valid UTF-8 all through is UTF-8;
3. cp1252 when every byte is defined in cp1252 (0x81, 0x8D, 0x8F, 0x90 and 0x9D are not,
   so a file holding one is something else) AND the text reads like it: charset-normalizer
   finds little "mess" in it (Polish cp1250 read as cp1252 gives `£ód¿` and superscripts
   inside words), and most letters are ASCII, as in every Western European language
   (Cyrillic or Greek single-byte files read as cp1252 are nearly all accented letters);
4. only then charset-normalizer's guess, which is said as a guess in the report and the log.

`--encoding NAME` skips all of this. Whatever is chosen is checked against every byte of
the file before an import reads a row, so a file never fails half way through.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from charset_normalizer import from_bytes

from repdesk.hub.importers.result import ImportFileError

log = logging.getLogger(__name__)

How = Literal["BOM", "UTF-8", "cp1252", "guessed", "forced"]

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_CHUNK = 1 << 20
_SAMPLE_BYTES = 64 * 1024
"""How much non-ASCII text the cp1252 check and the guess look at."""
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_CONTEXT = 200
"""Bytes kept either side of a non-ASCII byte (up to the line's ends) for the sample."""
_MAX_ACCENTED_SHARE = 0.3
_WORD_PUNCTUATION = frozenset("’‘“”„«»‹›–—…·•´°ºª™®©€\xad")
"""cp1252's non-letters that do sit next to letters in Western text (quotes, dashes...)."""
_LEADING_ONLY = frozenset("¿¡")
"""Spanish opening marks: before a word, never after a letter (Polish ż reads as ¿)."""
_MAX_ODD_SHARE = 0.05
"""Share of non-ASCII letters above which text is not Western European (French, about
the most accented, stays under 5%)."""


class EncodingError(ImportFileError):
    """The file's encoding is unknown, or the file is not valid in the one given."""


@dataclass(frozen=True, slots=True)
class Decoding:
    """The encoding a file is read with, and how it was chosen."""

    encoding: str
    how: How

    def describe(self) -> str:
        """For people: which encoding, and why (a guess says so)."""
        why = {
            "BOM": "from the file's byte-order mark",
            "UTF-8": "the file is valid UTF-8",
            "cp1252": "Windows-1252: not UTF-8, every byte is defined in cp1252 and the text "
            "reads as Western European",
            "guessed": "GUESSED: the file is neither UTF-8 nor Windows-1252; check the names "
            "below, and give --encoding if they look wrong",
            "forced": "given with --encoding",
        }[self.how]
        return f"{self.encoding} ({why})"


def check_encoding_name(name: str) -> str:
    """The codec's canonical name, or a clear error for a name Python does not know."""
    try:
        info = codecs.lookup(name.strip())
    except LookupError:
        raise EncodingError(
            f"{name!r} is not an encoding repdesk knows; use e.g. utf-8, cp1252, latin-1, "
            "cp1250 or utf-16."
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise EncodingError(f"{name!r} is not a text encoding.")
    return info.name


def detect_encoding(path: Path, *, forced: str | None = None) -> Decoding:
    """The file's encoding (see the module docstring); raises EncodingError when no
    encoding reads every byte. Reads the file in chunks, never all of it at once."""
    name = path.name
    if forced:
        chosen = Decoding(check_encoding_name(forced), "forced")
        _validate(path, chosen.encoding, name, chosen)
        return chosen
    with path.open("rb") as stream:
        head = stream.read(4)
        for bom, encoding in BOMS:
            if head.startswith(bom):
                chosen = Decoding(encoding, "BOM")
                _validate(path, encoding, name, chosen)
                return chosen
        stream.seek(0)
        head = stream.read(_SAMPLE_BYTES)
        stream.seek(0)
        utf8_ok, cp1252_ok, has_nul, sample = _scan(stream)
    not_text = f"{name} is not a text file, so it is not a CSV or JSONL export."
    if has_nul:
        # Text never holds NUL, except UTF-16/32 written without a byte-order mark.
        best = from_bytes(head).best()
        if best is None or not best.encoding.startswith(("utf_16", "utf_32")):
            raise EncodingError(not_text)
    elif utf8_ok:
        return Decoding("utf-8", "UTF-8")
    elif cp1252_ok and _reads_as_cp1252(sample):
        return Decoding("cp1252", "cp1252")
    else:
        # Not cp1252 (nor its subset latin-1): that was ruled out above.
        best = from_bytes(sample, cp_exclusion=["cp1252", "latin_1"]).best()
    if best is None and cp1252_ok and not has_nul:
        best_name = "cp1252"  # nothing reads it better, though it looks odd as cp1252
    elif best is None:
        raise EncodingError(not_text)
    else:
        best_name = best.encoding
    chosen = Decoding(check_encoding_name(best_name), "guessed")
    _validate(path, chosen.encoding, name, chosen)
    log.warning("%s: encoding guessed as %s (neither UTF-8 nor cp1252)", name, chosen.encoding)
    return chosen


def _scan(stream: BinaryIO) -> tuple[bool, bool, bool, bytes]:
    """One pass: valid UTF-8? every byte defined in cp1252? any NUL byte? and up to 64 KB
    of the lines holding non-ASCII bytes (what tells encodings apart)."""
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok = cp1252_ok = True
    has_nul = False
    sample = bytearray()
    while chunk := stream.read(_CHUNK):
        if utf8_ok:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
        if cp1252_ok and any(b in chunk for b in _CP1252_UNDEFINED):
            cp1252_ok = False
        has_nul = has_nul or b"\x00" in chunk
        pos = 0
        while len(sample) < _SAMPLE_BYTES and (found := _HIGH_BYTE.search(chunk, pos)):
            at = found.start()
            start = max(chunk.rfind(b"\n", max(0, at - _CONTEXT), at) + 1, at - _CONTEXT)
            end = chunk.find(b"\n", at, at + _CONTEXT)
            end = min(len(chunk), at + _CONTEXT) if end < 0 else end
            sample += chunk[start:end] + b"\n"
            pos = end + 1
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    return utf8_ok, cp1252_ok, has_nul, bytes(sample)


def _reads_as_cp1252(sample: bytes) -> bool:
    """Western European text, not another single-byte code page read as cp1252."""
    if not sample:
        return True
    text = sample.decode("cp1252")
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if not c.isascii())
    if letters and accented / len(letters) > _MAX_ACCENTED_SHARE:
        return False
    if _odd_symbols(text) > _MAX_ODD_SHARE * max(1, sum(1 for c in text if not c.isascii())):
        return False
    # charset-normalizer's measure of how garbled text looks (symbols inside words,
    # odd case changes...): a match means cp1252 reads it cleanly.
    return from_bytes(sample, cp_isolation=["cp1252"], enable_fallback=False).best() is not None


def _odd_symbols(text: str) -> int:
    """Non-ASCII symbols glued to letters: `£ód¿`, `Micha³`, `W¹sowski` (Polish cp1250
    read as cp1252). `m²`/`m³` and Western quotes and dashes are fine."""
    odd = 0
    for i, c in enumerate(text):
        if c.isascii() or c.isalpha() or c.isspace() or c in _WORD_PUNCTUATION:
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if c in _LEADING_ONLY:
            odd += before.isalpha()
        elif c in "²³" and before == "m":
            odd += after.isalpha()
        else:
            odd += before.isalpha() or after.isalpha()
    return odd


def _validate(path: Path, encoding: str, name: str, chosen: Decoding) -> None:
    """Decode every byte once (in chunks) so a bad byte stops the import before it starts,
    named by its line."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    ascii_lines = "\n".encode(encoding, errors="ignore") == b"\n"
    offset = lines = 0
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    where = offset + max(0, exc.start)
                    line = lines + chunk.count(b"\n", 0, max(0, exc.start)) + 1
                    at = f"line {line}" if ascii_lines else f"byte {where}"
                    raise EncodingError(
                        f"{name} is not valid {chosen.encoding} text ({at} has a byte "
                        f"{chunk[max(0, exc.start) : max(0, exc.start) + 1]!r} it cannot "
                        f"read); {_advice(chosen)}"
                    ) from None
                offset += len(chunk)
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise EncodingError(
            f"{name} is not valid {chosen.encoding} text (it ends in the middle of a "
            f"character); {_advice(chosen)}"
        ) from None


def _advice(chosen: Decoding) -> str:
    if chosen.how == "forced":
        return "check the --encoding you gave, or leave it out to let repdesk find it."
    if chosen.how == "BOM":
        return "the file is damaged: export it again."
    return "save it as UTF-8 CSV, or give --encoding NAME."


__all__ = ["BOMS", "Decoding", "EncodingError", "check_encoding_name", "detect_encoding"]
