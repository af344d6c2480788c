"""The field browser's model: each event type and the fields seen in it, as a tree, with
the text of values and the drag data a field carries onto a chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from dashboard.core.events.summary import one_line
from dashboard.core.panels.fieldcatalog import (
    COUNT_LIMIT,
    RATE_WINDOW,
    FieldCatalog,
    FieldInfo,
    TypeInfo,
)
from dashboard.ui.log_model import full_time_text
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import current

_Index = QModelIndex | QPersistentModelIndex


MIME_FIELD = "application/x-dashboard-field"

KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole type name or path: filter and sort key

COLUMNS = ("Field", "Kind", "Last value", "How often")

COLUMN_TIPS = (
    "The event type, and under it each field's dotted path in the payload",
    "What the field holds: number, text, boolean, object, list or null "
    "(number|text when it changed)",
    "The newest value seen (types: how many events so far)",
    f"Types: events per second over the last {RATE_WINDOW} s.\n"
    "Fields: the share of the type's sampled events that carry the field",
)

VALUE_LIMIT = 80  # characters of a value or path shown in a cell

AUTO_EXPAND = 20  # new types open by themselves while there are no more types than this

_REPAINT_ROLES = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole]


def field_mime(event_type: str, path: str) -> QMimeData:
    """A drag's payload for one field: UTF-8 ``type\\npath`` (and the path as text)."""
    mime = QMimeData()
    mime.setData(MIME_FIELD, QByteArray(f"{event_type}\n{path}".encode()))
    mime.setText(path)
    return mime


def field_from_mime(mime: QMimeData) -> tuple[str, str] | None:
    """The (event type, path) a drop carries, or None if it carries no field."""
    if not mime.hasFormat(MIME_FIELD):
        return None
    try:
        text = bytes(mime.data(MIME_FIELD).data()).decode()
    except UnicodeDecodeError:
        return None
    event_type, _, path = text.partition("\n")
    return (event_type, path) if event_type and path else None


def value_text(value: Any, limit: int = VALUE_LIMIT) -> str:
    """A field's last value on one line, cut at *limit* characters (payloads are hostile)."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return one_line(str(value), limit)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def left_out_text(info: TypeInfo, limit: int = VALUE_LIMIT) -> str:
    """What a type's cap on fields left out, in words: ``showing the first 300 fields of
    order.placed; its newest event has 50,000`` (empty if nothing was). The count is of
    one recent event's paths: the catalog keeps no more to count them all."""
    if not info.full:
        return ""
    text = f"showing the first {info.field_count:,} fields of {one_line(info.name, limit)}"
    newest = info.newest_paths
    if newest > info.field_count:
        many = f"more than {COUNT_LIMIT:,}" if newest >= COUNT_LIMIT else f"{newest:,}"
        return f"{text}; its newest event has {many}"
    return f"{text}; more were left out"


class FieldTreeModel(QAbstractItemModel):
    """Event types at the top, their fields under them, read from a FieldCatalog.

    Rows are only ever appended (in the order found) until :meth:`reset`, so a child's
    internal id (its type's row + 1) never goes stale; a proxy sorts them for the view.
    Type rows show the snapshot of the last :meth:`sync`; field rows read their live
    FieldInfo, so a repaint between syncs may show a newer value.
    """

    def __init__(self, catalog: FieldCatalog, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self._types: list[str] = []
        self._rows: dict[str, int] = {}
        self._infos: list[TypeInfo] = []
        self._fields: list[list[FieldInfo]] = []

    # -- following the catalog ---------------------------------------------------------
    def sync(self, now: float) -> list[int]:
        """Rows for new types and paths, then one repaint per type; answers the new type
        rows."""
        catalog = self.catalog
        new_types = [name for name in catalog.types() if name not in self._rows]
        first = len(self._types)
        if new_types:
            self.beginInsertRows(QModelIndex(), first, first + len(new_types) - 1)
            for name in new_types:
                self._rows[name] = len(self._types)
                self._types.append(name)
                self._infos.append(self._info(name, now))
                self._fields.append([])
            self.endInsertRows()
        last = len(COLUMNS) - 1
        for row, name in enumerate(self._types):
            info = self._infos[row] = self._info(name, now)
            listed = self._fields[row]
            parent = self.index(row, 0)
            if info.field_count > len(listed):
                known = {f.path for f in listed}
                new = [f for f in catalog.fields(name) if f.path not in known]
                self.beginInsertRows(parent, len(listed), len(listed) + len(new) - 1)
                listed.extend(new)
                self.endInsertRows()
            if listed:
                self.dataChanged.emit(
                    self.index(0, 1, parent), self.index(len(listed) - 1, last, parent),
                    _REPAINT_ROLES,
                )  # fmt: skip
        if self._types:
            self.dataChanged.emit(
                self.index(0, 1), self.index(len(self._types) - 1, last), _REPAINT_ROLES
            )
        return list(range(first, len(self._types)))

    def _info(self, name: str, now: float) -> TypeInfo:
        info = self.catalog.type_info(name, now)
        assert info is not None, "the catalog was cleared behind the model's back"
        return info

    def reset(self) -> None:
        """Empty the catalog and the tree."""
        self.beginResetModel()
        self.catalog.clear()
        self._types, self._rows, self._infos, self._fields = [], {}, [], []
        self.endResetModel()

    @property
    def infos(self) -> Sequence[TypeInfo]:
        return self._infos

    def field_total(self) -> int:
        return sum(len(fields) for fields in self._fields)

    def target(self, index: _Index) -> tuple[str, FieldInfo | None] | None:
        """The (event type, field) a row shows; the field is None on a type's row."""
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._types[index.row()], None
        type_row = index.internalId() - 1
        return self._types[type_row], self._fields[type_row][index.row()]

    def index_of(self, event_type: str, path: str | None = None) -> QModelIndex:
        row = self._rows.get(event_type)
        if row is None:
            return QModelIndex()
        if path is None:
            return self.index(row, 0)
        paths = [f.path for f in self._fields[row]]
        return (
            self.index(paths.index(path), 0, self.index(row, 0)) if path in paths else QModelIndex()
        )

    # -- the item model ----------------------------------------------------------------
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1 if parent.isValid() else 0)

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._types)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._fields[parent.row()])
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMN_TIPS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        target = self.target(index)
        if target is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if target[1] is not None and "\n" not in target[0]:  # the mime text splits on it
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def mimeTypes(self) -> list[str]:
        return [MIME_FIELD]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData | None:  # type: ignore[override]
        for index in indexes:
            target = self.target(index)
            if target is not None and target[1] is not None:
                return field_mime(target[0], target[1].path)
        return None

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        target = self.target(index)
        if target is None:
            return None
        field = target[1]
        if field is None:
            return self._type_data(self._infos[index.row()], index.column(), role)
        return self._field_data(field, index.column(), role)

    def _type_data(self, info: TypeInfo, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            texts = (
                one_line(info.name, VALUE_LIMIT),
                "",
                f"{info.total:,} event{'' if info.total == 1 else 's'}",
            )
            return texts[column] if column < 3 else f"{info.rate:.1f}/s"
        if role == KEY_ROLE:
            return info.name
        if role == Qt.ItemDataRole.ToolTipRole:
            more = "\nSome fields are not shown: too many, too deep or unnamable" * info.truncated
            if info.full:
                note = left_out_text(info, 500)
                more = f"\n{note[0].upper()}{note[1:]}"
            return plain_tooltip(
                f"{one_line(info.name, 500)}\n{info.total:,} events, the last at "
                f"{full_time_text(info.last_seen)}\n{info.rate:.1f} per second over the last "
                f"{RATE_WINDOW} s{more}"
            )
        if role == Qt.ItemDataRole.FontRole and column == 0:
            font = QFont()
            font.setBold(True)
            return font
        return self._common(column, role)

    def _field_data(self, field: FieldInfo, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                one_line(field.path, VALUE_LIMIT),
                field.kinds_text,
                value_text(field.last),
                f"{field.frequency * 100:.0f} %",
            )[column]
        if role == KEY_ROLE:
            return field.path
        if role == Qt.ItemDataRole.ToolTipRole:
            hint = "\nDouble-click: add as a card; drag onto a chart" if field.is_numeric else ""
            return plain_tooltip(
                f"{one_line(field.path, 500)}\n{field.kinds_text}, in {field.seen:,} of "
                f"{field.sampled:,} sampled events\nLast: {value_text(field.last, 500)}{hint}"
            )
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QColor(current().muted)
        return self._common(column, role)

    def _common(self, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
