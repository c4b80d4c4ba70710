"""Text helpers (plain labels, friendly dates, durations) and the live-following theme."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from repdesk.gui.text import (
    format_age,
    format_duration,
    format_when,
    one_line,
    plain_label,
    set_plain,
    tr,
)
from repdesk.gui.theme import ThemeManager, ThemeMode, Tone, is_dark, tone_color


def _local(y: int, mo: int, d: int, h: int, mi: int) -> datetime:
    return datetime(y, mo, d, h, mi).astimezone()


NOW = _local(2026, 3, 18, 15, 0)


def test_format_when_reads_like_a_person() -> None:
    assert format_when(_local(2026, 3, 18, 14, 5), NOW) == "Today 14:05"
    assert format_when(_local(2026, 3, 17, 9, 30), NOW) == "Yesterday 09:30"
    assert format_when(_local(2026, 3, 19, 10, 0), NOW) == "Tomorrow 10:00"
    assert format_when(_local(2026, 3, 15, 8, 0), NOW) == "3 days ago"
    assert format_when(_local(2026, 3, 21, 8, 0), NOW) == "In 3 days"
    assert format_when(_local(2026, 1, 2, 8, 0), NOW) == "02 Jan"
    assert format_when(_local(2025, 1, 2, 8, 0), NOW) == "02 Jan 2025"
    assert format_when(None, NOW) == "Never"


def test_naive_times_are_taken_as_utc() -> None:
    aware = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
    assert format_when(aware.replace(tzinfo=None), NOW) == format_when(aware, NOW)


@given(st.integers(min_value=0, max_value=10 * 86400))
def test_format_duration_round_trips(seconds: int) -> None:
    text = format_duration(seconds)
    parts = [int(p) for p in text.split(":")]
    total = 0
    for part in parts:
        total = total * 60 + part
    assert total == seconds
    assert len(parts) == (3 if seconds >= 3600 else 2)


def test_format_age_and_plural_tr(qapp: Any) -> None:
    assert format_age(timedelta(seconds=5)) == "just now"
    assert format_age(timedelta(minutes=5)) == "5 min ago"
    assert format_age(timedelta(hours=2)) == "2 h ago"
    assert format_age(timedelta(days=3)) == "3 days ago"
    assert tr("t", "%n leads", n=4) == "4 leads"
    assert one_line("a\n  b\tc", 80) == "a b c"
    assert one_line("x" * 100, 10) == "x" * 9 + "…"


def test_plain_labels_never_render_markup(qtbot: Any) -> None:
    hostile = "<b>x</b><img src=y>"
    label = plain_label(hostile)
    qtbot.addWidget(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == hostile
    label.setTextFormat(Qt.TextFormat.RichText)
    set_plain(label, hostile)
    assert label.textFormat() == Qt.TextFormat.PlainText


def test_theme_modes_and_following_the_system_live(qapp: QApplication) -> None:
    original = QGuiApplication.palette()
    try:
        manager = ThemeManager(qapp, ThemeMode.DARK)
        assert manager.dark and is_dark()
        dark_ok = tone_color(Tone.OK)
        manager.set_mode(ThemeMode.LIGHT)
        assert not manager.dark and not is_dark()
        assert tone_color(Tone.OK) != dark_ok, "semantic colours follow the palette"

        manager.set_mode(ThemeMode.SYSTEM)
        seen: list[bool] = []
        manager.theme_changed.connect(seen.append)
        # The OS reports a switch to dark: the palette follows without a restart.
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert seen == [True] and is_dark()
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert seen == [True, False] and not is_dark()
        manager.set_mode(ThemeMode.LIGHT)
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert not is_dark(), "an explicit choice ignores the system scheme"
    finally:
        qapp.setPalette(original)
        QGuiApplication.styleHints().colorSchemeChanged.disconnect(manager._on_system_scheme)
        manager.setParent(None)


def test_sizes_read_as_a_rep_reads_them() -> None:
    from repdesk.gui.text import human_size

    assert human_size(0) == "0 bytes"
    assert human_size(30_000) == "29 KB"  # a cache of demo PDFs is not "0.0 MB"
    assert human_size(3_250_000) == "3.1 MB"


def test_every_tone_and_text_colour_reads_on_both_palettes(qapp: QApplication) -> None:
    """WCAG AA (4.5:1) for every status/readiness tone on every background a view uses,
    in the light and the dark palette, and for the notice banner's own colours."""
    from PySide6.QtGui import QColor, QPalette

    from repdesk.gui.notify import _BANNER_COLOURS
    from repdesk.gui.theme import _TONES, contrast_ratio, dark_palette, light_palette

    role = QPalette.ColorRole
    failures = []
    for dark, palette in ((False, light_palette()), (True, dark_palette())):
        for background in (role.Window, role.Base, role.AlternateBase):
            bg = palette.color(background)
            texts = {f"tone {t.value}": QColor(_TONES[dark][t]) for t in Tone}
            texts["text"] = palette.color(role.Text)
            texts["window text"] = palette.color(role.WindowText)
            for name, colour in texts.items():
                ratio = contrast_ratio(colour, bg)
                if ratio < 4.5:
                    failures.append(f"{'dark' if dark else 'light'}: {name} on {background.name}")
        selected = contrast_ratio(
            palette.color(role.HighlightedText), palette.color(role.Highlight)
        )
        assert selected >= 4.5
        background, _border, text = _BANNER_COLOURS[dark]
        assert contrast_ratio(QColor(text), QColor(background)) >= 4.5
    assert failures == []
