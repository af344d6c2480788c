"""Qt's ICU data cut down for the bundle (packaging/icu.py), tried on the ICU library that
the installed PySide6 wheel ships, with Qt itself loading the result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import icu  # noqa: E402

QT_LIB = Path(__import__("PySide6").__file__).parent / "Qt" / "lib"
ICU_DATA = sorted(QT_LIB.glob("libicudata.so.*"))

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not ICU_DATA, reason="Qt ships its ICU data only on Linux"
)

# What the app's Qt asks ICU for: collation, codecs, time-zone names, case mapping.
QT_CHECK = """
import json
from PySide6.QtCore import QByteArray, QCollator, QLocale, QStringDecoder, QTimeZone
def order(locale, words, numeric=False):
    collator = QCollator(QLocale(locale))
    collator.setNumericMode(numeric)
    return sorted(words, key=collator.sortKey)
def zone(locale):
    return QTimeZone(b"Europe/Berlin").displayName(
        QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, QLocale(locale))
html = QStringDecoder.decoderForHtml(QByteArray(b'<meta charset="EUC-KR">'))
print(json.dumps({
    "en": order("en_US", ["b", "B", "e", "A", "\\u00e9", "a"]),
    "sv": order("sv_SE", ["\\u00f6", "z", "o", "a", "\\u00e5"]),
    "numeric": order("en", ["file10", "file2", "file1"], numeric=True),
    "codecs": len(QStringDecoder.availableCodecs()),
    "shift_jis": QStringDecoder("Shift_JIS").isValid(),
    "euc_kr": [html.isValid(), html.name()],
    "zone_en": zone("en"),
    "zone_de": zone("de"),
    "upper": [QLocale("tr").toUpper("i"), QLocale("en").toUpper("stra\\u00dfe")],
}))
"""


def qt_with_icu(folder: Path | None) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if folder is not None:  # ahead of Qt's RUNPATH, so Qt loads this libicudata
        env["LD_LIBRARY_PATH"] = str(folder)
    run = subprocess.run(
        [sys.executable, "-c", QT_CHECK], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(run.stdout)


def test_a_package_read_and_written_again_is_the_same_bytes() -> None:
    _, package = icu.read_symbol(ICU_DATA[0].read_bytes(), r"icudt\d+_dat")
    header, items = icu.package_items(package)
    assert len(items) > 3000
    assert icu.write_package(header, items) == package


def test_the_items_kept_are_what_qt_reads() -> None:
    kept = [
        "icudt73l/root.res",
        "icudt73l/en_GB.res",
        "icudt73l/pool.res",  # shared strings, not a locale
        "icudt73l/supplementalData.res",
        "icudt73l/cnvalias.icu",
        "icudt73l/ibm-943_P15A-2003.cnv",
        "icudt73l/nfkc.nrm",
        "icudt73l/coll/root.res",
        "icudt73l/coll/ucadata.icu",
        "icudt73l/zoneinfo64.res",
        "icudt73l/zone/en.res",
    ]
    dropped = [
        "icudt73l/de.res",
        "icudt73l/zh_Hant_TW.res",
        "icudt73l/coll/sv.res",
        "icudt73l/zone/de.res",
        "icudt73l/lang/en.res",
        "icudt73l/curr/root.res",
        "icudt73l/brkitr/cjdict.dict",
        "icudt73l/translit/root.res",
        "icudt73l/unames.icu",
    ]
    assert [name for name in kept if not icu.kept_item(name)] == []
    assert [name for name in dropped if icu.kept_item(name)] == []


@pytest.mark.skipif(not shutil.which("cc"), reason="linking the data needs a C compiler")
def test_qt_works_on_the_trimmed_data_as_documented(tmp_path: Path) -> None:
    library = tmp_path / ICU_DATA[0].name
    shutil.copy2(ICU_DATA[0], library)
    before, after = icu.trim(library)
    assert after < before / 3

    whole, trimmed = qt_with_icu(None), qt_with_icu(tmp_path)
    # the same: codecs, the root collation order, numeric sorting, English zone names,
    # language-specific case mapping
    for same in ("en", "numeric", "codecs", "shift_jis", "euc_kr", "zone_en", "upper"):
        assert trimmed[same] == whole[same], same
    assert trimmed["en"] == ["a", "A", "b", "B", "e", "\u00e9"]
    assert trimmed["codecs"] > 200 and trimmed["euc_kr"] == [True, "EUC-KR"]
    assert trimmed["upper"] == ["\u0130", "STRASSE"]
    # what is documented as gone: Swedish sorts by the root order, German names are English
    assert whole["sv"] == ["a", "o", "z", "\u00e5", "\u00f6"]
    assert trimmed["sv"] == ["a", "\u00e5", "o", "\u00f6", "z"]
    assert whole["zone_de"] == "Mitteleuropäische Normalzeit"
    assert trimmed["zone_de"] == trimmed["zone_en"] == "Central European Standard Time"


def test_what_is_not_an_icu_library_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a 64-bit little-endian ELF file"):
        icu.read_symbol(b"MZ\x90\x00", r"icudt\d+_dat")
    with pytest.raises(ValueError, match="no exported symbol"):
        icu.read_symbol(Path(sys.executable).resolve().read_bytes(), r"icudt\d+_dat")
    with pytest.raises(ValueError, match="not a little-endian ICU data package"):
        icu.package_items(b"\x00" * 64)
