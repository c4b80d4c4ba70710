"""The typed settings registry: validation, atomic JSON persistence, tolerance, no secrets."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from repdesk.domain.errors import StoreError, ValidationError
from repdesk.store import settings as S
from repdesk.store.settings import REGISTRY, Settings, declare, looks_secret


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / S.SETTINGS_FILE_NAME


def test_missing_file_gives_declared_defaults(path: Path) -> None:
    settings = Settings.load(path)
    assert settings.get(S.SYNC_INTERVAL_MINUTES) == 5
    assert settings.get(S.COLLATERAL_CACHE_MB) == 500
    assert settings.get(S.HUB_URL) == ""
    assert settings.get(S.AUTO_SYNC) is True
    assert not settings.is_set(S.HUB_URL)
    assert not path.exists()


def test_set_saves_at_once_and_reloads(path: Path) -> None:
    settings = Settings.load(path)
    settings.set(S.HUB_URL, "https://hub.example.com")
    settings.set(S.SYNC_INTERVAL_MINUTES, 15)
    settings.set(S.AUTO_SYNC, False)
    settings.set(S.WINDOW_GEOMETRY, "AdnQywADAAAAAAAA")
    again = Settings.load(path)
    assert again.get(S.HUB_URL) == "https://hub.example.com"
    assert again.get(S.SYNC_INTERVAL_MINUTES) == 15
    assert again.get(S.AUTO_SYNC) is False
    assert again.get(S.WINDOW_GEOMETRY) == "AdnQywADAAAAAAAA"
    # Only what the rep changed is written, so later versions' new defaults take effect.
    assert set(json.loads(path.read_text())) == {
        "hub_url",
        "sync_interval_minutes",
        "auto_sync",
        "window_geometry",
    }
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left


def test_reset_returns_to_default_and_drops_the_key(path: Path) -> None:
    settings = Settings.load(path)
    settings.set(S.SYNC_INTERVAL_MINUTES, 30)
    settings.reset(S.SYNC_INTERVAL_MINUTES)
    assert settings.get(S.SYNC_INTERVAL_MINUTES) == 5
    assert "sync_interval_minutes" not in json.loads(path.read_text())


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (S.SYNC_INTERVAL_MINUTES, 0, "Sync every (minutes) must be at least 1."),
        (S.SYNC_INTERVAL_MINUTES, 24 * 60 + 1, "Sync every (minutes) must be at most 1440."),
        (S.SYNC_INTERVAL_MINUTES, "5", "Sync every (minutes) must be a whole number."),
        (S.SYNC_INTERVAL_MINUTES, True, "Sync every (minutes) must be a whole number."),
        (S.SYNC_INTERVAL_MINUTES, 2.5, "Sync every (minutes) must be a whole number."),
        (S.AUTO_SYNC, 1, "Sync automatically must be on or off."),
        (S.HUB_URL, 42, "Hub address must be text."),
        (S.HUB_URL, "hub.example.com", "The hub address must start with https://"),
        (S.HUB_URL, "javascript:alert(1)", "The hub address must start with https://"),
        (S.LOG_LEVEL, "LOUD", "Log detail must be one of: DEBUG, INFO, WARNING, ERROR."),
        (S.COLLATERAL_CACHE_MB, 1, "Collateral storage limit (MB) must be at least 50."),
    ],
)
def test_invalid_values_are_refused_and_nothing_changes(
    path: Path,
    setting: S.Setting[object],
    value: object,
    message: str,  # type: ignore[type-var]
) -> None:
    settings = Settings.load(path)
    with pytest.raises(ValidationError) as info:
        settings.set(setting, value)
    assert str(info.value).startswith(message)
    assert settings.get(setting) == setting.default
    assert not path.exists()


def test_corrupt_json_gives_defaults_and_is_kept_aside(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('{"sync_interval_minutes": 9,,,')
    settings = Settings.load(path)
    assert settings.get(S.SYNC_INTERVAL_MINUTES) == 5
    assert path.with_name(path.name + ".corrupt").read_text().startswith('{"sync')
    settings.set(S.SYNC_INTERVAL_MINUTES, 7)
    assert Settings.load(path).get(S.SYNC_INTERVAL_MINUTES) == 7


@pytest.mark.parametrize("content", ["[1, 2]", "null", '"text"', "", "\x00\xff"])
def test_unusable_content_gives_defaults(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="latin-1")
    assert Settings.load(path).get(S.COLLATERAL_CACHE_MB) == 500


def test_undecodable_or_unreadable_file_gives_defaults(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"hub_url": "\xff\xfe"}')
    assert Settings.load(path).get(S.HUB_URL) == ""
    other = path.with_name("dir.json")
    other.mkdir()  # reading a directory fails with an OSError
    assert Settings.load(other).get(S.HUB_URL) == ""


def test_bad_known_values_fall_back_per_key_and_unknown_keys_survive(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "sync_interval_minutes": -3,
                "auto_sync": "yes",
                "hub_url": "https://hub.example.com/api",
                "from_a_newer_version": {"nested": [1, 2]},
            }
        )
    )
    settings = Settings.load(path)
    assert settings.get(S.SYNC_INTERVAL_MINUTES) == 5
    assert settings.get(S.AUTO_SYNC) is True
    assert settings.get(S.HUB_URL) == "https://hub.example.com/api"
    settings.set(S.LAST_SEEN_VERSION, "0.1.0")
    saved = json.loads(path.read_text())
    assert saved["from_a_newer_version"] == {"nested": [1, 2]}
    assert "sync_interval_minutes" not in saved


def test_failed_save_keeps_the_old_file_whole(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: os.replace is patched to fail, as a full or read-only disk would."""
    settings = Settings.load(path)
    settings.set(S.SYNC_INTERVAL_MINUTES, 10)
    before = path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(S.os, "replace", broken_replace)
    with pytest.raises(StoreError, match="disk is full"):
        settings.set(S.SYNC_INTERVAL_MINUTES, 20)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert settings.get(S.SYNC_INTERVAL_MINUTES) == 20  # still holds for this run


def test_unwritable_location_raises_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    settings = Settings.load(blocker / "settings.json")
    with pytest.raises(StoreError, match="could not be saved"):
        settings.set(S.AUTO_SYNC, False)


def test_no_declared_setting_looks_like_a_secret() -> None:
    assert len(REGISTRY) >= 10
    for setting in REGISTRY.values():
        for text in (setting.key, setting.title, setting.description):
            assert not looks_secret(text), setting.key


@pytest.mark.parametrize("name", ["hub_token", "Password", "api_key", "client-secret", "pwd"])
def test_secret_looking_names_are_refused(name: str) -> None:
    assert looks_secret(name)
    with pytest.raises(ValueError, match="keyring"):
        declare(name, "", "Something")
    assert name not in REGISTRY


def test_registry_is_well_formed() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        declare("hub_url", "", "Again")
    for key, setting in REGISTRY.items():
        assert key == setting.key and setting.title
        assert setting.validate(setting.default) == setting.default
        assert setting.type is type(setting.default)


@given(
    interval=st.integers(1, 1440),
    cache=st.integers(50, 100_000),
    text=st.text(max_size=200),
)
def test_any_valid_values_round_trip(interval: int, cache: int, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "settings.json"
        settings = Settings(path)
        settings.set(S.SYNC_INTERVAL_MINUTES, interval, save=False)
        settings.set(S.COLLATERAL_CACHE_MB, cache, save=False)
        settings.set(S.SPLITTER_STATE, text)
        again = Settings.load(path)
    assert again.get(S.SYNC_INTERVAL_MINUTES) == interval
    assert again.get(S.COLLATERAL_CACHE_MB) == cache
    assert again.get(S.SPLITTER_STATE) == text
