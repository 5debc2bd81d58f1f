"""Encryption at rest for the free text users write (Fernet, MultiFernet for key rotation).

The column type `SealedText` encrypts on the way in and decrypts on the way out with the vault
installed by `install_vault()`. The vault is process-wide on purpose: SQLAlchemy type
decorators have no access to per-session state, and a process serves one set of keys.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Ciphertext is marked so plaintext rows written before a key was configured still read back.
_PREFIX = "enc:v1:"


class Vault:
    """Seal and open text with the configured keys; a vault without keys stores plaintext."""

    def __init__(self, keys: list[str]) -> None:
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys]) if keys else None

    @property
    def enabled(self) -> bool:
        """Whether text is encrypted at rest."""
        return self._fernet is not None

    def seal(self, text: str) -> str:
        """Encrypt text with the newest key (or return it unchanged without keys)."""
        if self._fernet is None:
            return text
        return _PREFIX + self._fernet.encrypt(text.encode()).decode()

    def open(self, stored: str) -> str:
        """Decrypt stored text, accepting plaintext written before encryption was enabled."""
        if not stored.startswith(_PREFIX):
            return stored
        if self._fernet is None:
            raise InvalidToken("this text is encrypted but no ENCRYPTION_KEYS are configured")
        return self._fernet.decrypt(stored[len(_PREFIX) :].encode()).decode()

    def rotate(self, stored: str) -> str:
        """Re-encrypt stored text with the newest key."""
        if self._fernet is None:
            return stored
        if not stored.startswith(_PREFIX):
            return self.seal(stored)
        return _PREFIX + self._fernet.rotate(stored[len(_PREFIX) :].encode()).decode()


_vault = Vault([])


def install_vault(vault: Vault) -> None:
    """Make this vault the one SealedText columns use."""
    global _vault  # process-wide on purpose: see the module docstring
    _vault = vault


def current_vault() -> Vault:
    """Return the vault SealedText columns use."""
    return _vault


def generate_key() -> str:
    """Return a new random key for ENCRYPTION_KEYS."""
    return Fernet.generate_key().decode()


class SealedText(TypeDecorator[str]):
    """A text column encrypted at rest when keys are configured."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:  # noqa: ARG002
        return None if value is None else _vault.seal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:  # noqa: ARG002
        return None if value is None else _vault.open(str(value))
