"""Keeping what leaves the machine safe: secrets are always cut (`strip_secrets`), identifiers are
pseudonymised on request (`--redact`, `wizard.redact.identifiers`)."""

from wizard.redact.secrets import (
    PEM_REDACTED,
    REDACTED,
    REDACTED_URL,
    is_secret_key,
    strip_secrets,
    strip_secrets_text,
)

__all__ = ["PEM_REDACTED", "REDACTED", "REDACTED_URL", "is_secret_key", "strip_secrets", "strip_secrets_text"]
