"""Row salvage from a damaged SQLite file, in pure Python, reading pages as SQLite's
`.recover` does: no SQLite library is asked to open the file, so a damaged header, a
truncated file or a garbled page cannot stop the read.

What it does (the file format: https://www.sqlite.org/fileformat2.html):

- page size from the header, else the size whose pages look most like b-tree pages;
- committed frames of a `-wal` file laid over the main file's pages (latest wins);
- a table's rows by walking its b-tree from the root page named in `sqlite_schema`
  (page 1), skipping any page that does not parse;
- when that walk met damage (or the schema page itself is damaged), every other page that
  parses as a table leaf and is not on the freelist is read too, and a row is kept only
  when the caller's `accept` says it has the table's shape (how `.recover`'s
  lost-and-found works, with our own schema as the judge).

Only reads; never writes the file. Values come back as Python values per column, in the
order of the record (text decoded as UTF-8, the only encoding repdesk writes).
"""

from __future__ import annotations

import logging
import mmap
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
WAL_MAGICS = (0x377F0682, 0x377F0683)
TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR = 0x0D, 0x05, 0x0A, 0x02
PAGE_SIZES = tuple(2**n for n in range(9, 17))
DEFAULT_PAGE_SIZE = 4096

Value = int | float | str | bytes | None
Row = tuple[int, tuple[Value, ...]]
"""(rowid, values)."""


class PageError(Exception):
    """One page (or one cell) does not parse; the caller skips it."""


@dataclass
class TableRead:
    rows: list[Row] = field(default_factory=list)
    damaged_pages: int = 0
    """Pages of the table's tree (or orphan pages) that could not be read."""
    scanned: bool = False
    """True when orphan pages were searched because the tree walk met damage."""


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(8):
        if pos + i >= len(buf):
            raise PageError("varint runs past the page")
        byte = buf[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    if pos + 8 >= len(buf):
        raise PageError("varint runs past the page")
    return (value << 8) | buf[pos + 8], pos + 9


def decode_record(payload: bytes) -> tuple[Value, ...]:
    header_size, pos = _varint(payload, 0)
    if header_size > len(payload) or header_size < 1:
        raise PageError("record header larger than the record")
    types: list[int] = []
    while pos < header_size:
        serial, pos = _varint(payload, pos)
        types.append(serial)
    body = header_size
    values: list[Value] = []
    for serial in types:
        value, body = _value(payload, body, serial)
        values.append(value)
    if body > len(payload):
        raise PageError("record body shorter than its header says")
    return tuple(values)


_INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _value(payload: bytes, pos: int, serial: int) -> tuple[Value, int]:
    if serial == 0:
        return None, pos
    if serial in _INT_SIZES:
        size = _INT_SIZES[serial]
        if pos + size > len(payload):
            raise PageError("integer past the record")
        return int.from_bytes(payload[pos : pos + size], "big", signed=True), pos + size
    if serial == 7:
        if pos + 8 > len(payload):
            raise PageError("real past the record")
        return struct.unpack(">d", payload[pos : pos + 8])[0], pos + 8
    if serial in (8, 9):
        return serial - 8, pos
    if serial in (10, 11):
        raise PageError("reserved serial type")
    size = (serial - 12) // 2
    if pos + size > len(payload):
        raise PageError("text or blob past the record")
    raw = payload[pos : pos + size]
    if serial % 2 == 0:
        return bytes(raw), pos + size
    try:
        return raw.decode("utf-8"), pos + size
    except UnicodeDecodeError as exc:
        raise PageError("text is not UTF-8") from exc


def _map(path: Path) -> bytes:
    """The file's bytes, memory-mapped (a 400 MB cache is not copied into memory)."""
    if not path.exists() or path.stat().st_size == 0:
        return b""
    with path.open("rb") as fh:
        # mmap slices are bytes and its items ints, as for bytes: typed as such.
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)  # type: ignore[return-value]


def _plausible(data: bytes, number: int, size: int) -> bool:
    """Page `number` at page size `size` looks like a b-tree page (for guessing the size)."""
    start = (number - 1) * size
    base = start + (HEADER_SIZE if number == 1 else 0)
    kind = data[base]
    if kind not in (TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR):
        return False
    cells = int.from_bytes(data[base + 3 : base + 5], "big")
    head = base + (12 if kind in (TABLE_INTERIOR, INDEX_INTERIOR) else 8) - start
    if cells == 0 or head + 2 * cells > size:
        return False
    content = int.from_bytes(data[base + 5 : base + 7], "big") or 65536
    if not head + 2 * cells <= content <= size:
        return False
    pointers = data[start + head : start + head + 2 * cells]
    return all(
        content <= int.from_bytes(pointers[i : i + 2], "big") < size
        for i in range(0, len(pointers), 2)
    )


class PageFile:
    """The pages of a database file (and its WAL's committed frames), read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = _map(path)
        self.header_ok = self.data[:16] == MAGIC
        self._wal: dict[int, bytes] = {}
        self.page_size = self.usable = self.page_count = DEFAULT_PAGE_SIZE
        self.page_size = self._page_size()
        self.usable = self.page_size - (self.data[20] if self.header_ok else 0)
        self._read_wal(Path(f"{path}-wal"))
        wal_pages = max(self._wal, default=0)
        self.page_count = max(len(self.data) // self.page_size, wal_pages)

    def close(self) -> None:
        """Unmap the file (Windows cannot move a file that is still mapped)."""
        if isinstance(self.data, mmap.mmap):
            self.data.close()
        self.data = b""

    def __enter__(self) -> PageFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _page_size(self) -> int:
        if self.header_ok:
            raw = int.from_bytes(self.data[16:18], "big")
            size = 65536 if raw == 1 else raw
            if size in PAGE_SIZES:
                return size
        wal = Path(f"{self.path}-wal")
        if wal.exists():
            head = wal.read_bytes()[:32]
            if len(head) == 32 and int.from_bytes(head[:4], "big") in WAL_MAGICS:
                size = int.from_bytes(head[8:12], "big")
                if size in PAGE_SIZES:
                    return size
        return self._guess_page_size()

    def _guess_page_size(self) -> int:
        """A damaged header: the size at which the schema on page 1 (its b-tree header is
        past the 100 damaged bytes) names root pages that are b-tree pages; then the size
        at which most bytes lie in plausible pages; else SQLite's default."""
        best, best_score = DEFAULT_PAGE_SIZE, (0, 0)
        for size in PAGE_SIZES:
            count = len(self.data) // size
            if count == 0:
                continue
            self.page_size, self.usable, self.page_count = size, size, count
            roots = {root for root, _sql in self.tables().values()}
            score = (
                sum(1 for r in roots if r <= count and _plausible(self.data, r, size)),
                size
                * sum(1 for n in range(1, min(count, 4000) + 1) if _plausible(self.data, n, size)),
            )
            if score > best_score:
                best, best_score = size, score
        return best

    def _read_wal(self, wal: Path) -> None:
        """Lay the WAL's committed frames over the file (frames after the last commit and
        frames from an older WAL generation, told by the salts, are ignored)."""
        if not wal.exists():
            return
        data = wal.read_bytes()
        if len(data) < 32 or int.from_bytes(data[:4], "big") not in WAL_MAGICS:
            return
        size = int.from_bytes(data[8:12], "big")
        if size != self.page_size:
            return
        salts = data[16:24]
        pending: dict[int, bytes] = {}
        pos = 32
        while pos + 24 + size <= len(data):
            frame = data[pos : pos + 24]
            if frame[8:16] != salts:
                break
            number = int.from_bytes(frame[:4], "big")
            pending[number] = data[pos + 24 : pos + 24 + size]
            if int.from_bytes(frame[4:8], "big"):  # a commit frame
                self._wal.update(pending)
                pending = {}
            pos += 24 + size

    def page(self, number: int) -> bytes:
        if number < 1 or number > self.page_count:
            raise PageError(f"page {number} is past the end of the file")
        if number in self._wal:
            return self._wal[number]
        start = (number - 1) * self.page_size
        page = self.data[start : start + self.page_size]
        if len(page) < self.page_size:
            raise PageError(f"page {number} is cut short")
        return page

    def freelist(self) -> set[int]:
        if not self.header_ok:
            return set()
        pages: set[int] = set()
        trunk = int.from_bytes(self.data[32:36], "big")
        while trunk and trunk not in pages and len(pages) < self.page_count:
            pages.add(trunk)
            try:
                page = self.page(trunk)
            except PageError:
                break
            count = int.from_bytes(page[4:8], "big")
            for i in range(min(count, (self.usable - 8) // 4)):
                pages.add(int.from_bytes(page[8 + 4 * i : 12 + 4 * i], "big"))
            trunk = int.from_bytes(page[:4], "big")
        return pages

    # --- b-tree pages ------------------------------------------------------------------

    def _cells(self, number: int) -> tuple[int, list[int], int]:
        """(page type, cell offsets, right-most child) of a b-tree page."""
        page = self.page(number)
        base = HEADER_SIZE if number == 1 else 0
        if len(page) < base + 8:
            raise PageError("page too small")
        kind = page[base]
        if kind not in (TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR):
            raise PageError(f"page {number} is not a b-tree page")
        count = int.from_bytes(page[base + 3 : base + 5], "big")
        interior = kind in (TABLE_INTERIOR, INDEX_INTERIOR)
        head = base + (12 if interior else 8)
        if head + 2 * count > self.usable:
            raise PageError(f"page {number} claims too many cells")
        right = int.from_bytes(page[base + 8 : base + 12], "big") if interior else 0
        offsets = [
            int.from_bytes(page[head + 2 * i : head + 2 * i + 2], "big") for i in range(count)
        ]
        for offset in offsets:
            if not head + 2 * count <= offset < self.usable:
                raise PageError(f"page {number} has a cell outside the page")
        return kind, offsets, right

    def _leaf_row(self, page: bytes, offset: int) -> Row:
        size, pos = _varint(page, offset)
        rowid, pos = _varint(page, pos)
        if rowid >= 2**63:
            rowid -= 2**64
        usable = self.usable
        most = usable - 35
        if size <= most:
            if pos + size > usable:
                raise PageError("cell runs past the page")
            return rowid, decode_record(page[pos : pos + size])
        least = ((usable - 12) * 32 // 255) - 23
        local = least + (size - least) % (usable - 4)
        if local > most:
            local = least
        payload = bytearray(page[pos : pos + local])
        overflow = int.from_bytes(page[pos + local : pos + local + 4], "big")
        seen: set[int] = set()
        while len(payload) < size:
            if not overflow or overflow in seen:
                raise PageError("overflow chain broken")
            seen.add(overflow)
            chunk = self.page(overflow)
            overflow = int.from_bytes(chunk[:4], "big")
            payload += chunk[4 : 4 + min(usable - 4, size - len(payload))]
        return rowid, decode_record(bytes(payload))

    def leaf_rows(self, number: int) -> Iterator[Row]:
        """The rows of one table-leaf page; a cell that does not parse is skipped."""
        kind, offsets, _ = self._cells(number)
        if kind != TABLE_LEAF:
            raise PageError(f"page {number} is not a table leaf")
        page = self.page(number)
        for offset in offsets:
            try:
                yield self._leaf_row(page, offset)
            except PageError:
                log.debug("skipped a damaged cell on page %d", number)

    def walk(self, root: int, read: TableRead, visited: set[int], *, rows: bool = True) -> None:
        """Every readable row of the table whose b-tree starts at `root` (`rows=False`:
        only mark its pages visited)."""
        stack = [root]
        while stack:
            number = stack.pop()
            if number in visited:
                read.damaged_pages += 1  # a loop: a child pointer was garbled
                continue
            visited.add(number)
            try:
                kind, offsets, right = self._cells(number)
                if kind == TABLE_LEAF:
                    if rows:
                        read.rows.extend(self.leaf_rows(number))
                elif kind == TABLE_INTERIOR:
                    page = self.page(number)
                    children = [int.from_bytes(page[o : o + 4], "big") for o in offsets]
                    stack.extend(reversed([*children, right]))
                else:
                    raise PageError(f"page {number} is an index page inside a table")
            except PageError as exc:
                log.debug("salvage: %s", exc)
                read.damaged_pages += 1

    def tables(self) -> dict[str, tuple[int, str]]:
        """name → (root page, CREATE sql) from sqlite_schema; empty when page 1 is unreadable."""
        read = TableRead()
        self.walk(1, read, set())
        found: dict[str, tuple[int, str]] = {}
        for _rowid, values in read.rows:
            if len(values) >= 5 and values[0] == "table":
                name, root, sql = values[1], values[3], values[4]
                if isinstance(name, str) and isinstance(root, int) and isinstance(sql, str):
                    found[name] = (root, sql)
        return found

    def read_table(self, name: str, accept: Callable[[tuple[Value, ...]], bool]) -> TableRead:
        """The readable rows of table `name`; orphan pages searched by shape after damage."""
        read = TableRead()
        visited: set[int] = set()
        tables = self.tables()
        if name in tables:
            self.walk(tables[name][0], read, visited)
            read.rows = [row for row in read.rows if accept(row[1])]
            if read.damaged_pages == 0:
                return read
        # Damage on the way (or no schema): like .recover's lost-and-found, read every
        # other table leaf that is not free, keeping rows with the table's shape.
        read.scanned = True
        skip = visited | self.freelist()
        for root, _sql in tables.values():
            # Other tables' trees are not orphans; reading them would only cost time.
            if root not in visited:
                self.walk(root, TableRead(), skip, rows=False)
        for number in range(1, self.page_count + 1):
            if number in skip:
                continue
            try:
                read.rows.extend(row for row in self.leaf_rows(number) if accept(row[1]))
            except PageError:
                continue
        return read


def table_columns(sql: str) -> list[str]:
    """Column names, in record order, of a CREATE TABLE statement (SQLite parses it)."""
    import sqlite3

    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(sql)
        name = scratch.execute("SELECT name FROM sqlite_schema WHERE type='table'").fetchone()[0]
        return [r[1] for r in scratch.execute(f'PRAGMA table_info("{name}")')]
    finally:
        scratch.close()


__all__ = ["PageError", "PageFile", "Row", "TableRead", "Value", "decode_record", "table_columns"]
