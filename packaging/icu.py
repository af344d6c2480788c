"""Trim the ICU data that Qt brings on Linux to what Qt asks ICU for (31 MB -> 8 MB).

libQt6Core calls ICU for four things only: collation (``ucol_*``, QCollator), text codecs
(``ucnv_*``, QStringConverter beyond UTF and Latin-1), case mapping (``u_strTo*``, whose
tables are code, not data) and time-zone names (``ucal_*``). Qt's locale names, number and
date formats come from its own CLDR tables. So the bundle keeps ICU's converters,
normalisation, collation root, time-zone tables and the root and English locale data, and
leaves out what only other ICU services read: display names of languages, regions,
currencies and units, number spell-out, transliteration, break-iterator dictionaries,
character names, and the per-language locale, collation and zone-name data. A language
without its collation tailoring sorts by the Unicode root order.

ICU keeps its data as one "common data" package (format ``CmnD``: a table of contents, then
the items) inside ``libicudata.so.NN`` under the symbol ``icudtNN_dat``. This module reads
that package out of the ELF file, writes a package with the kept items, and links it into a
library of the same name and soname with the system C compiler.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

# Item folders only ICU services that Qt never calls read.
DROPPED_FOLDERS = frozenset({"lang", "region", "curr", "unit", "rbnf", "translit", "brkitr"})
DROPPED_ITEMS = frozenset({"unames.icu"})  # Unicode character names
KEPT_LANGUAGE = "en"
_LOCALE_ITEM = re.compile(r"([a-z]{2,3})(_\w+)?\.res")  # de.res, zh_Hant_TW.res (not pool.res)
_ALIGN = 16
_FILL = b"\xaa"  # what ICU's icupkg pads with


def kept_item(name: str) -> bool:
    """Whether the bundle keeps the package item *name* (``icudt73l/coll/de.res``)."""
    path = name.partition("/")[2]
    folder, _, leaf = path.rpartition("/")
    if folder in DROPPED_FOLDERS or leaf in DROPPED_ITEMS:
        return False
    locale = _LOCALE_ITEM.fullmatch(leaf)
    return locale is None or locale.group(1) == KEPT_LANGUAGE


def read_symbol(library: bytes, pattern: str) -> tuple[str, bytes]:
    """The name and bytes of the first exported symbol matching *pattern* in a 64-bit
    little-endian ELF shared library (what every Linux x86-64 and arm64 Qt wheel ships)."""
    if library[:6] != b"\x7fELF\x02\x01":
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff, _, _, _, _, shentsize, shnum = struct.unpack_from("<QIHHHHH", library, 0x28)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", library, shoff + i * shentsize) for i in range(shnum)
    ]
    wanted = re.compile(pattern)
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 11:  # SHT_DYNSYM
            continue
        strings_offset = sections[link][4]
        for at in range(offset, offset + size, entsize):
            name_at, _, _, shndx, value, length = struct.unpack_from("<IBBHQQ", library, at)
            start = strings_offset + name_at
            name = library[start : library.index(b"\0", start)].decode()
            if 0 < shndx < len(sections) and wanted.fullmatch(name):  # defined in a section
                section = sections[shndx]
                begin = value - section[3] + section[4]
                return name, library[begin : begin + length]
    raise ValueError(f"no exported symbol matching {pattern!r}")


def package_items(package: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The header and the (name, bytes) items of an ICU common data package."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", package, 0)
    if (magic1, magic2) != (0xDA, 0x27) or package[8:12] != b"\0\0\2\0":
        raise ValueError("not a little-endian ICU data package")
    if package[12:16] != b"CmnD":
        raise ValueError(f"not an ICU common data package ({package[12:16]!r})")
    count = struct.unpack_from("<I", package, header_size)[0]
    entries = [struct.unpack_from("<II", package, header_size + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_offset, data_offset) in enumerate(entries):
        start = header_size + name_offset
        name = package[start : package.index(b"\0", start)].decode()
        end = header_size + entries[i + 1][1] if i + 1 < count else len(package)
        items.append((name, package[header_size + data_offset : end]))
    return package[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """A common data package of *items*, in the order given (ICU looks names up by
    binary search, so keep them sorted as they came)."""
    names = b"".join(name.encode() + b"\0" for name, _ in items)
    table_size = 4 + 8 * len(items)
    data_start = _padded(table_size + len(names))
    table = [struct.pack("<I", len(items))]
    name_offset, data_offset = table_size, data_start
    for name, data in items:
        table.append(struct.pack("<II", name_offset, data_offset))
        name_offset += len(name) + 1
        data_offset += _padded(len(data))
    body = [b"".join(table), names, _FILL * (data_start - table_size - len(names))]
    body += [data + _FILL * (_padded(len(data)) - len(data)) for _, data in items]
    return header + b"".join(body)


def _padded(size: int) -> int:
    return (size + _ALIGN - 1) // _ALIGN * _ALIGN


def link_data_library(symbol: str, package: bytes, soname: str, target: Path) -> None:
    """Build *target*: a shared library exporting *package* as *symbol*, like ICU's own."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise RuntimeError("trimming ICU data needs a C compiler (cc or gcc) on PATH")
    with tempfile.TemporaryDirectory() as work:
        data = Path(work, "icudata.dat")
        data.write_bytes(package)
        source = Path(work, "icudata.S")
        source.write_text(
            "\t.section .rodata\n\t.balign 16\n"
            f"\t.globl {symbol}\n\t.type {symbol}, @object\n{symbol}:\n"
            f'\t.incbin "{data}"\n\t.size {symbol}, . - {symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n'
        )
        command = [compiler, "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-o"]
        subprocess.run([*command, str(target), str(source)], check=True)


def trim(library: Path, keep: Callable[[str], bool] = kept_item) -> tuple[int, int]:
    """Replace *library* (``libicudata.so.NN``) by one holding only the items *keep*
    accepts; its soname is its file name. Returns the file sizes before and after."""
    before = library.stat().st_size
    symbol, package = read_symbol(library.read_bytes(), r"icudt\d+_dat")
    header, items = package_items(package)
    trimmed = write_package(header, [item for item in items if keep(item[0])])
    link_data_library(symbol, trimmed, library.name, library)
    return before, library.stat().st_size
