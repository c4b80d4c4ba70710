"""Light/dark palettes that follow the system colour scheme live, plus spacing and fonts."""

from __future__ import annotations

import logging
from enum import StrEnum

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLayout, QWidget

log = logging.getLogger(__name__)

#: One spacing scale for every layout (px): small gaps, the default, and section gaps.
SPACING_S = 4
SPACING = 8
SPACING_L = 16


class ThemeMode(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


class Tone(StrEnum):
    """Semantic colours for status text and badges (readiness, unsent, errors)."""

    OK = "ok"
    WARN = "warn"
    BAD = "bad"
    MUTED = "muted"
    ACCENT = "accent"


_TONES: dict[bool, dict[Tone, str]] = {
    False: {
        Tone.OK: "#1a7430",
        Tone.WARN: "#8a5c00",
        Tone.BAD: "#b42318",
        Tone.MUTED: "#5f6368",
        Tone.ACCENT: "#1a5fb4",
    },
    True: {
        Tone.OK: "#57c46b",
        Tone.WARN: "#e3b341",
        Tone.BAD: "#f47067",
        Tone.MUTED: "#9aa0a6",
        Tone.ACCENT: "#78aeed",
    },
}


def _palette(dark: bool) -> QPalette:
    if dark:
        window, base, alt, text, button = "#1f2125", "#16181b", "#24272b", "#e6e6e6", "#2b2e33"
        highlight, link, mid, disabled = "#3d6fb4", "#78aeed", "#3a3d42", "#7a7f85"
    else:
        window, base, alt, text, button = "#f4f5f7", "#ffffff", "#f0f2f5", "#1d1f23", "#e9ebef"
        highlight, link, mid, disabled = "#1a5fb4", "#1a5fb4", "#c9ccd1", "#9aa0a6"
    p = QPalette()
    role = QPalette.ColorRole
    for r, c in (
        (role.Window, window),
        (role.WindowText, text),
        (role.Base, base),
        (role.AlternateBase, alt),
        (role.Text, text),
        (role.Button, button),
        (role.ButtonText, text),
        (role.ToolTipBase, base),
        (role.ToolTipText, text),
        (role.PlaceholderText, disabled),
        (role.Highlight, highlight),
        (role.HighlightedText, "#ffffff"),
        (role.Link, link),
        (role.Mid, mid),
        (role.Midlight, alt),
        (role.Light, button),
        (role.Dark, mid),
        (role.Shadow, "#000000"),
        (role.BrightText, "#ffffff"),
    ):
        p.setColor(r, QColor(c))
    group = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group, r, QColor(disabled))
    return p


def apply_palette(app: QApplication, dark: bool) -> None:
    """Switch the whole app to the light or dark palette, toned labels included.

    Every palette switch goes through here: a label coloured by `set_tone` holds an
    explicit text colour, which a plain `setPalette` on the app would leave as it was
    (dark grey on near-black after switching to dark).
    """
    app.setPalette(_palette(dark))
    for widget in app.allWidgets():
        if widget.property(_TONE_PROPERTY) is not None:
            _paint_tone(widget)
        sheet = widget.styleSheet()
        if sheet:
            # A style sheet resolves palette(...) and the text colour when it is applied.
            widget.setStyleSheet(sheet)


def contrast_ratio(foreground: QColor, background: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21; body text needs 4.5)."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def light_palette() -> QPalette:
    return _palette(dark=False)


def dark_palette() -> QPalette:
    return _palette(dark=True)


class ThemeManager(QObject):
    """Applies the palette for a mode; in SYSTEM mode it follows the OS scheme as it changes.

    Widgets that paint semantic colours call `tone()` and repaint on `theme_changed`.
    """

    theme_changed = Signal(bool)
    """Emitted with `dark` after a palette was applied."""

    def __init__(self, app: QApplication, mode: ThemeMode = ThemeMode.SYSTEM) -> None:
        super().__init__(app)
        self._app = app
        self._mode = mode
        self._dark = False
        # Fusion honours the palette on every platform, so light/dark look the same everywhere.
        app.setStyle("Fusion")
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme)
        self.apply()

    @property
    def mode(self) -> ThemeMode:
        return self._mode

    @property
    def dark(self) -> bool:
        return self._dark

    def set_mode(self, mode: ThemeMode) -> None:
        self._mode = mode
        self.apply()

    def apply(self, system_scheme: Qt.ColorScheme | None = None) -> None:
        """Apply the palette for the mode; `system_scheme` is the OS scheme if just reported."""
        if self._mode is ThemeMode.SYSTEM:
            scheme = system_scheme or QGuiApplication.styleHints().colorScheme()
            dark = scheme == Qt.ColorScheme.Dark
        else:
            dark = self._mode is ThemeMode.DARK
        self._dark = dark
        apply_palette(self._app, dark)
        log.debug("applied %s palette (mode %s)", "dark" if dark else "light", self._mode)
        self.theme_changed.emit(dark)

    def tone(self, tone: Tone) -> QColor:
        return QColor(_TONES[self._dark][tone])

    def _on_system_scheme(self, scheme: Qt.ColorScheme) -> None:
        if self._mode is ThemeMode.SYSTEM:
            self.apply(scheme)


def theme_manager() -> ThemeManager | None:
    """The app's theme manager (made by the composition root), if there is one."""
    app = QApplication.instance()
    return app.findChild(ThemeManager) if app is not None else None


def theme_mode(value: object) -> ThemeMode:
    """A stored setting value as a mode; anything unknown means "follow the system"."""
    try:
        return ThemeMode(str(value))
    except ValueError:
        return ThemeMode.SYSTEM


def is_dark(widget: QWidget | None = None) -> bool:
    """Whether the palette in effect is dark (by its window colour, so it works unmanaged)."""
    palette = widget.palette() if widget is not None else QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone_color(tone: Tone, widget: QWidget | None = None) -> QColor:
    """A semantic colour that reads well on the palette in effect."""
    return QColor(_TONES[is_dark(widget)][tone])


_TONE_PROPERTY = "repdeskTone"


def set_tone(widget: QWidget, tone: Tone | None) -> None:
    """Colour a label's text with a semantic tone (None restores the palette's text colour).

    The tone is remembered on the widget, so `apply_palette` repaints it for the new palette.
    """
    widget.setProperty(_TONE_PROPERTY, tone.value if tone is not None else "")
    _paint_tone(widget)


def widget_tone(widget: QWidget) -> Tone | None:
    """The tone `set_tone` gave `widget`, if any."""
    value = widget.property(_TONE_PROPERTY)
    return Tone(value) if value else None


def _paint_tone(widget: QWidget) -> None:
    tone = widget_tone(widget)
    palette = widget.palette()
    role = QPalette.ColorRole.WindowText
    if tone is None:
        palette.setColor(role, QGuiApplication.palette().color(role))
    else:
        palette.setColor(role, QColor(_TONES[is_dark()][tone]))
    widget.setPalette(palette)


def set_margins(layout: QLayout, margin: int = SPACING, spacing: int = SPACING) -> None:
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.setSpacing(spacing)


def scaled_font(base: QFont, step: float = 1.0, bold: bool = False) -> QFont:
    """`base` grown by `step` x 20 % (headings use 1-3 steps) and optionally bold."""
    font = QFont(base)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * (1.0 + 0.2 * step))
    font.setBold(bold)
    return font


def mono_font(step: float = 0.0) -> QFont:
    """The system fixed-width font (call timers, ids), optionally scaled."""
    base = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    return scaled_font(base, step) if step else base
