"""Settings, read from the environment and a .env file when main() asks for them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Everything the bot can be configured with; see the README's configuration table."""

    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr = SecretStr("")
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    database_url: str = "sqlite+aiosqlite:///data/secure_base.db"
    encryption_keys: SecretStr = SecretStr("")
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8080
    dispatch_interval_seconds: float = Field(default=30.0, gt=0)
    dispatch_batch_size: int = Field(default=500, ge=1)
    prompt_grace_minutes: int = Field(default=120, ge=0)
    flow_timeout_hours: int = Field(default=24, ge=1)
    retention_days: int = Field(default=0, ge=0)
    log_level: str = "INFO"
    log_json: bool = False
    content_dir: Path = REPO_ROOT / "content"
    # Where checked content is kept between starts: "" for $XDG_CACHE_HOME/secure-base (or
    # ~/.cache/secure-base), "off" to load and check content on every start.
    content_cache_dir: str = ""

    @property
    def content_cache(self) -> Path | None:
        """The content cache directory, or None when it is off."""
        if self.content_cache_dir.strip().lower() == "off":
            return None
        if self.content_cache_dir.strip():
            return Path(self.content_cache_dir)
        from bot.content.cache import default_cache_dir

        return default_cache_dir()

    @field_validator("telegram_api_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def api_file_base_url(self) -> str:
        """Derive the file URL from the API URL the way Telegram lays them out."""
        base = self.telegram_api_base_url
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file"

    @property
    def prompt_grace(self) -> timedelta:
        """How late a missed prompt may still be sent after downtime."""
        return timedelta(minutes=self.prompt_grace_minutes)

    @property
    def key_list(self) -> list[str]:
        """Encryption keys, newest first (comma separated in ENCRYPTION_KEYS)."""
        raw = self.encryption_keys.get_secret_value()
        return [k.strip() for k in raw.split(",") if k.strip()]
