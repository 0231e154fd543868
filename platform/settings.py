"""Settings, grouped per concern, read from ``NEXO_*`` environment variables.

Every variable is listed in the README with its default and meaning. ``Settings.from_env`` is the only reader
of the environment; everything else receives a ``Settings`` instance.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WEAK_SECRETS = frozenset({"", "secret", "changeme", "change-me", "development", "dev", "nexo", "password"})
MIN_SECRET_LENGTH = 32


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; start-up must stop with this message."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"NEXO_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name, "1" if default else "0").strip().lower()
    return raw in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"NEXO_{name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True)
class AppSettings:
    env: str = "production"
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = "http://127.0.0.1:8000"
    data_dir: Path = REPO_ROOT / ".nexo"
    log_level: str = "INFO"
    log_json: bool = False
    metrics_token: str = ""  # bearer token for /metrics; empty: /metrics is not exposed

    @property
    def is_development(self) -> bool:
        return self.env in {"development", "test"}

    @property
    def cookie_secure(self) -> bool:
        """Cookies are Secure everywhere except plain-http localhost development."""
        return not self.base_url.startswith(("http://127.0.0.1", "http://localhost"))


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = ""
    pool_size: int = 10
    max_overflow: int = 10
    echo: bool = False
    behind_pgbouncer: bool = False
    upgrade_concurrency: int = 4

    @property
    def embedded(self) -> bool:
        return not self.url


@dataclass(frozen=True)
class MailSettings:
    smtp_url: str = ""
    from_address: str = "Nexo <no-reply@nexo.localhost>"


@dataclass(frozen=True)
class SecuritySettings:
    login_rate_per_minute: int = 10
    signup_rate_per_minute: int = 5
    session_max_age_seconds: int = 14 * 24 * 3600
    password_reset_max_age_seconds: int = 3600
    invitation_max_age_seconds: int = 7 * 24 * 3600
    api_rate_per_minute: int = 600  # API calls per installation per minute
    # Webhook receivers on loopback or private networks (tests, self-hosting next to the receiver); off unless set.
    webhooks_allow_private_receivers: bool = False
    webhook_subscriptions_per_installation: int = 25
    webhook_deliveries_per_minute: int = 300  # POSTs per installation per minute; the rest wait for the next minute


@dataclass(frozen=True)
class BillingSettings:
    stripe_secret_key: str = ""
    stripe_publishable_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""
    stripe_js_url: str = "https://js.stripe.com/v3/"
    trial_days: int = 14
    grace_days: int = 7
    retention_days: int = 90

    @property
    def provider(self) -> str:
        return "stripe" if self.stripe_secret_key else "off"


@dataclass(frozen=True)
class Settings:
    app: AppSettings = field(default_factory=AppSettings)
    db: DatabaseSettings = field(default_factory=DatabaseSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    billing: BillingSettings = field(default_factory=BillingSettings)

    @classmethod
    def from_env(cls) -> Settings:
        host = _env("HOST", "127.0.0.1")
        port = _env_int("PORT", 8000)
        app = AppSettings(
            env=_env("ENV", "production"),
            secret_key=_env("SECRET_KEY"),
            host=host,
            port=port,
            base_url=_env("BASE_URL", f"http://{host}:{port}").rstrip("/"),
            data_dir=Path(_env("DATA_DIR", str(REPO_ROOT / ".nexo"))),
            log_level=_env("LOG_LEVEL", "INFO").upper(),
            log_json=_env_bool("LOG_JSON", False),
            metrics_token=_env("METRICS_TOKEN"),
        )
        db = DatabaseSettings(
            url=_env("DATABASE_URL"),
            pool_size=_env_int("DATABASE_POOL_SIZE", 10),
            max_overflow=_env_int("DATABASE_MAX_OVERFLOW", 10),
            echo=_env_bool("DATABASE_ECHO", False),
            behind_pgbouncer=_env_bool("DATABASE_PGBOUNCER", False),
            upgrade_concurrency=_env_int("UPGRADE_CONCURRENCY", 4),
        )
        mail = MailSettings(
            smtp_url=_env("SMTP_URL"),
            from_address=_env("MAIL_FROM", MailSettings.from_address),
        )
        security = SecuritySettings(
            login_rate_per_minute=_env_int("LOGIN_RATE_PER_MINUTE", 10),
            signup_rate_per_minute=_env_int("SIGNUP_RATE_PER_MINUTE", 5),
            api_rate_per_minute=_env_int("API_RATE_PER_MINUTE", 600),
            webhooks_allow_private_receivers=_env_bool("WEBHOOKS_ALLOW_PRIVATE_RECEIVERS", False),
            webhook_subscriptions_per_installation=_env_int("WEBHOOK_SUBSCRIPTIONS_PER_INSTALLATION", 25),
            webhook_deliveries_per_minute=_env_int("WEBHOOK_DELIVERIES_PER_MINUTE", 300),
            session_max_age_seconds=_env_int("SESSION_MAX_AGE_SECONDS", SecuritySettings.session_max_age_seconds),
            password_reset_max_age_seconds=_env_int(
                "PASSWORD_RESET_MAX_AGE_SECONDS", SecuritySettings.password_reset_max_age_seconds
            ),
        )
        billing = BillingSettings(
            stripe_secret_key=_env("STRIPE_SECRET_KEY"),
            stripe_publishable_key=_env("STRIPE_PUBLISHABLE_KEY"),
            stripe_webhook_secret=_env("STRIPE_WEBHOOK_SECRET"),
            stripe_api_base=_env("STRIPE_API_BASE"),
            stripe_js_url=_env("STRIPE_JS_URL", BillingSettings.stripe_js_url),
            trial_days=_env_int("TRIAL_DAYS", 14),
            grace_days=_env_int("GRACE_DAYS", 7),
            retention_days=_env_int("RETENTION_DAYS", 90),
        )
        return cls(app=app, db=db, mail=mail, security=security, billing=billing).validated()

    def validated(self) -> Settings:
        """Refuse unsafe settings outside development; fill a throwaway secret in development."""
        secret = self.app.secret_key
        weak = secret.lower() in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH
        if weak and not self.app.is_development:
            raise SettingsError(
                "NEXO_SECRET_KEY is missing or weak: set it to a random string of at least "
                f"{MIN_SECRET_LENGTH} characters (for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`), "
                "or set NEXO_ENV=development for local use."
            )
        if weak:
            secret = _development_secret(self.app.data_dir)
            object.__setattr__(self.app, "secret_key", secret)
        if self.app.env not in {"development", "test", "production", "staging"}:
            raise SettingsError(f"NEXO_ENV must be development, test, staging or production, got {self.app.env!r}")
        if not self.mail.smtp_url and not self.app.is_development:
            raise SettingsError(
                "NEXO_SMTP_URL is missing: outside development Nexo must send its e-mails (password resets, "
                "invitations) through SMTP, never write them (and the links in them) to the log. Set it, for "
                "example smtp://user:password@mail.example.com:587, or set NEXO_ENV=development for local use."
            )
        return self


def _development_secret(data_dir: Path) -> str:
    """A per-checkout random secret kept in the data folder, so development sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
