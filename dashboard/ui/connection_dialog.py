"""The connection dialog: URL, name, auth, headers, TLS, heartbeat, the transport's own
options (built from its declared schema) and field mapping."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from dashboard.core.events.decode import EnvelopeKeys
from dashboard.core.lang.duration import SETTINGS, format_duration
from dashboard.core.transport.connection import DEFAULT_HEARTBEAT_TIMEOUT, ConnectionSpec
from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.sources.base import (
    basic_credentials,
    parse_header_lines,
    read_basic_credentials,
)
from dashboard.sources.registry import KINDS
from dashboard.ui.form_dialog import FormDialog
from dashboard.ui.option_fields import OptionFields
from dashboard.ui.theme import level_colour

NO_AUTH, BEARER, BASIC = "None", "Bearer token", "User and password (basic)"
ENV_HINT = "${ENV_VAR} is read from the environment when connecting"


class ConnectionDialog(FormDialog):
    """Edits a ConnectionSpec. OK stays disabled, with the reason shown, until it is valid.

    Credentials go in their own masked fields, never in the free-text headers. The rows of
    a transport's own options come from its declaration in *kinds* (``option_fields``), and
    show while the URL is one of its.
    """

    def __init__(
        self,
        spec: ConnectionSpec | None = None,
        parent: QWidget | None = None,
        kinds: SourceKinds = KINDS,
    ) -> None:
        super().__init__(parent)
        self.kinds = kinds
        self.setWindowTitle("Edit connection" if spec else "Add connection")
        self.setMinimumWidth(560)
        self._build_address_fields()
        browse = self._build_tls_fields()
        self._build_key_fields()
        self.form = self._build_form(browse)
        self.set_form(self.form)
        if spec is not None:
            self._load(spec)
        self._connect_signals()
        self._validate()

    def _build_address_fields(self) -> None:
        """The URL, the name, the authentication and the extra headers."""
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://host/events  or  wss://host/stream")
        self.name = QLineEdit()
        self.name.setPlaceholderText("from the URL")
        self.auth = QComboBox()
        self.auth.addItems([NO_AUTH, BEARER, BASIC])
        self.token = self._secret("token, or ${ENV_VAR}")
        self.user = QLineEdit()
        self.user.setPlaceholderText("user")
        self.password = self._secret("password, or ${ENV_VAR}")
        self.headers = QPlainTextEdit()
        self.headers.setPlaceholderText("X-Team: ops\nX-Api-Version: 2")
        self.headers.setToolTip(f"One 'Name: value' per line; {ENV_HINT}")
        self.headers.setFixedHeight(70)

    def _build_tls_fields(self) -> QPushButton:
        """TLS verification and its warning, the CA bundle and the heartbeat timeout;
        answers the CA bundle's Browse button."""
        self.verify = QCheckBox("Verify TLS certificates")
        self.verify.setChecked(True)
        self.insecure_warning = QLabel(
            "Certificates will not be checked: anyone on the network path could pose as this feed."
        )
        self.insecure_warning.setWordWrap(True)
        self.insecure_warning.setStyleSheet(f"color: {level_colour('critical')};")
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText("system certificates")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_ca)
        self.heartbeat = QLineEdit(format_duration(DEFAULT_HEARTBEAT_TIMEOUT))
        self.heartbeat.setPlaceholderText(format_duration(DEFAULT_HEARTBEAT_TIMEOUT))
        self.heartbeat.setToolTip(
            "No bytes for this long (heartbeats count) means the connection is dead: "
            f"reconnect. A duration such as 45s, 1m30s or 500ms; {SETTINGS}"
        )
        return browse

    def _build_key_fields(self) -> None:
        """The JSON keys an event's type, time, source and severity are read from."""
        defaults = EnvelopeKeys()
        self.type_keys = self._keys_field(defaults.type)
        self.time_keys = self._keys_field(defaults.time)
        self.source_keys = self._keys_field(defaults.source)
        self.severity_keys = self._keys_field(defaults.severity)

    def _build_form(self, browse: QPushButton) -> QFormLayout:
        """The rows in order, the transport's own options between the heartbeat and the keys."""
        form = QFormLayout()
        form.addRow("URL", self.url)
        form.addRow("Name", self.name)
        form.addRow("Authentication", self.auth)
        form.addRow("Token", self.token)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        form.addRow("Extra headers", self.headers)
        form.addRow("", self.verify)
        form.addRow("", self.insecure_warning)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file)
        ca_row.addWidget(browse)
        form.addRow("CA bundle", ca_row)
        form.addRow("Heartbeat timeout", self.heartbeat)
        self.option_fields = OptionFields(self.kinds, form, self._validate)
        form.addRow("Type from", self.type_keys)
        form.addRow("Time from", self.time_keys)
        form.addRow("Source from", self.source_keys)
        form.addRow("Severity from", self.severity_keys)
        return form

    def _connect_signals(self) -> None:
        """Every edit validates the form again."""
        for widget in (
            self.url,
            self.name,
            self.token,
            self.user,
            self.password,
            self.ca_file,
            self.heartbeat,
            self.type_keys,
            self.time_keys,
            self.source_keys,
            self.severity_keys,
        ):
            widget.textChanged.connect(self._validate)
        self.headers.textChanged.connect(self._validate)
        self.auth.currentTextChanged.connect(self._validate)
        self.verify.toggled.connect(self._validate)

    # -- fields --------------------------------------------------------------------------
    @staticmethod
    def _secret(placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setPlaceholderText(placeholder)
        field.setToolTip(f"Masked, and never saved to disk; {ENV_HINT}")
        return field

    @staticmethod
    def _keys_field(defaults: tuple[str, ...]) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(", ".join(defaults))
        field.setToolTip("JSON keys, comma-separated: the first one present in an event wins")
        return field

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA bundle", "", "PEM certificates (*.pem *.crt);;All files (*)"
        )
        if path:
            self.ca_file.setText(path)

    def _load(self, spec: ConnectionSpec) -> None:
        self.url.setText(spec.url)
        self.name.setText(spec.name)
        headers = dict(spec.headers)
        authorization = headers.pop("Authorization", None)
        if authorization:
            basic = read_basic_credentials(authorization)
            if basic:
                self.auth.setCurrentText(BASIC)
                self.user.setText(basic[0])
                self.password.setText(basic[1])
            else:
                self.auth.setCurrentText(BEARER)
                self.token.setText(authorization.removeprefix("Bearer ").strip())
        self.headers.setPlainText("\n".join(f"{k}: {v}" for k, v in headers.items()))
        self.verify.setChecked(spec.verify)
        self.ca_file.setText(spec.ca_file or "")
        self.heartbeat.setText(format_duration(spec.heartbeat_timeout))
        self.option_fields.load(spec.options)
        defaults = EnvelopeKeys()
        for field, keys, default in (
            (self.type_keys, spec.keys.type, defaults.type),
            (self.time_keys, spec.keys.time, defaults.time),
            (self.source_keys, spec.keys.source, defaults.source),
            (self.severity_keys, spec.keys.severity, defaults.severity),
        ):
            if keys != default:
                field.setText(", ".join(keys))

    # -- validation and result -----------------------------------------------------------
    def problem(self) -> str | None:
        """What is wrong with the form, or None."""
        url = self.url.text().strip()
        if not url:
            return "URL: enter the feed's address"
        try:
            kind = self.kinds.for_url(url)
        except ValueError as exc:
            return f"URL: {exc}"
        try:
            headers = parse_header_lines(self.headers.toPlainText())
        except ValueError as exc:
            return f"Extra headers, {exc}"
        if any(name.lower() == "authorization" for name in headers):
            return "Extra headers: put credentials under Authentication, where they are masked"
        mode = self.auth.currentText()
        if not kind.takes_headers and (headers or mode != NO_AUTH):
            return kind.headers_instead or f"{kind.title} takes no headers"
        problem = self._heartbeat_problem() or self.option_fields.problem(url)
        if problem:
            return problem
        refused = kind.start_problem(url, self.option_fields.values(url))
        if refused is not None:  # the command line's rule, with the row's label
            name, why = refused
            return f"{self.option_fields.options[name].title if name else 'URL'}: {why}"
        if mode == BEARER and not self.token.text().strip():
            return "Token: enter the bearer token (or ${ENV_VAR})"
        if mode == BASIC and not self.user.text().strip():
            return "User: enter the user name for basic authentication"
        for label, field in (
            ("Type from", self.type_keys),
            ("Time from", self.time_keys),
            ("Source from", self.source_keys),
            ("Severity from", self.severity_keys),
        ):
            if field.text().strip() and not _keys(field.text()):
                return f"{label}: enter JSON keys separated by commas"
        return None

    def _validate(self) -> None:
        mode = self.auth.currentText()
        for widget, shown in (
            (self.token, mode == BEARER),
            (self.user, mode == BASIC),
            (self.password, mode == BASIC),
        ):
            widget.setVisible(shown)
            label = self.form.labelForField(widget)
            if label is not None:
                label.setVisible(shown)
        self.insecure_warning.setVisible(not self.verify.isChecked())
        self.option_fields.show_for(self.url.text().strip())
        super()._validate()

    def spec(self) -> ConnectionSpec:
        """The connection the form describes (call once it is valid)."""
        headers = parse_header_lines(self.headers.toPlainText())
        mode = self.auth.currentText()
        if mode == BEARER:
            headers["Authorization"] = f"Bearer {self.token.text().strip()}"
        elif mode == BASIC:
            headers["Authorization"] = basic_credentials(
                self.user.text().strip(), self.password.text()
            )
        defaults = EnvelopeKeys()
        keys = EnvelopeKeys(
            type=_keys(self.type_keys.text()) or defaults.type,
            time=_keys(self.time_keys.text()) or defaults.time,
            source=_keys(self.source_keys.text()) or defaults.source,
            severity=_keys(self.severity_keys.text()) or defaults.severity,
        )
        url = self.url.text().strip()
        return self.kinds.spec(
            url,
            self.name.text().strip(),
            headers=headers,
            verify=self.verify.isChecked(),
            ca_file=self.ca_file.text().strip() or None,
            heartbeat_timeout=self._heartbeat_seconds(),
            keys=keys,
            options=self.option_fields.values(url),
        )

    def _heartbeat_problem(self) -> str | None:
        try:
            self._heartbeat_seconds()
        except ValueError as exc:
            return str(exc)
        return None

    def _heartbeat_seconds(self) -> float:
        """The heartbeat timeout typed (left empty: the default), in the range a layout
        holds; ValueError saying what is wrong."""
        text = self.heartbeat.text().strip() or format_duration(DEFAULT_HEARTBEAT_TIMEOUT)
        return SETTINGS.read(text, "Heartbeat timeout")


def _keys(text: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in text.split(",") if k.strip())
