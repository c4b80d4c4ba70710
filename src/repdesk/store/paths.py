"""Where repdesk keeps its files: the --data-dir argument, then $REPDESK_HOME, then platformdirs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "repdesk"
ENV_HOME = "REPDESK_HOME"


@dataclass(frozen=True, slots=True)
class AppPaths:
    data: Path
    cache: Path
    logs: Path
    config: Path

    @classmethod
    def resolve(cls, data_dir: str | Path | None = None) -> AppPaths:
        """`data_dir` (the --data-dir argument) wins; then $REPDESK_HOME; else the OS defaults.

        With an explicit folder everything lives under it, so a portable or test install never
        touches the rep's real profile.
        """
        root: Path | None = None
        if data_dir is not None and str(data_dir).strip():
            root = Path(data_dir).expanduser()
        elif os.environ.get(ENV_HOME, "").strip():
            root = Path(os.environ[ENV_HOME]).expanduser()
        if root is not None:
            root = root.absolute()
            return cls(
                data=root / "data", cache=root / "cache", logs=root / "logs", config=root / "config"
            )
        return cls(
            data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
            config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        )

    @property
    def updates(self) -> Path:
        """Desktop builds downloaded from the hub (`repdesk.sync.update_files`)."""
        return self.data / "updates"

    def ensure(self) -> AppPaths:
        """Create the four folders (idempotent) and return self."""
        for path in (self.data, self.cache, self.logs, self.config):
            path.mkdir(parents=True, exist_ok=True)
        return self
