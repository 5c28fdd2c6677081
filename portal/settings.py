"""Settings for the integration decision portal, read from the environment (see README "Configuration")."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from portal.env import env_bool, env_int, env_list, env_str, parse_cache_url, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105 - refused when DEBUG is off
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "Production (DEBUG off) needs a real SECRET_KEY of at least 50 random characters, for example from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`. For local work set DEBUG=true."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
NO_HOSTS = (  # portal/wsgi.py: the web server won't start without them (every request would be a 400)
    "Production (DEBUG off) needs ALLOWED_HOSTS: the host names the portal answers to, comma-separated (for example "
    "portal.example.com)."
)
# Old keys still accepted for signed values and sessions while SECRET_KEY is rotated (comma-separated; drop them once
# sessions signed with them have expired).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # the admin, for curators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API's interactive docs from its own static files, not a CDN
    "axes",
    "django_tasks_db",  # the queue of background tasks (notification e-mails, daily reminders) in the database
    "portal",
    "patterns",
]

MIDDLEWARE = [
    "portal.middleware.ResponseHeadersMiddleware",  # outermost: Permissions-Policy, CORP, private no-store
    "portal.middleware.ProbesMiddleware",  # before the HTTPS redirect and the Host check
    "portal.observability.RequestLogMiddleware",  # request id, one JSON access line (probes aren't logged)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.middleware.UnstorableTextMiddleware",  # NUL or lone surrogates in parameters: 400 before any form
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.LocalTimeMiddleware",  # the reader's time zone, carried in the session
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",  # a lost database is a 503 with Retry-After, not a 500
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "patterns.context_processors.curation",
                "portal.context_processors.inbox",
                "portal.context_processors.local_time",
            ],
            "builtins": ["django_htmx.templatetags.django_htmx"],
        },
    }
]

# Django's cache framework, chosen by CACHE_URL: locmem:// (this process; make run), redis://… (shared by every
# replica) or dummy:// (off). What it holds is keyed by counters committed with each change (see portal.caching), so
# a key is right whichever process or replica reads it.
CACHES = {
    "default": {
        **parse_cache_url(env_str("CACHE_URL", "locmem://"), max_entries=env_int("CACHE_ENTRIES", 2000, minimum=10)),
        "TIMEOUT": 24 * 60 * 60,
        "KEY_PREFIX": "portal",
    }
}

DATABASES = {
    "default": parse_database_url(env_str("DATABASE_URL", "sqlite:///db.sqlite3"), base_dir=BASE_DIR),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"]["OPTIONS"]
    # An unreachable database must fail fast (a 503 the client can retry), not hang a worker.
    _options.setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5, minimum=1))
    if env_bool("DB_POOL", False):
        from psycopg_pool import ConnectionPool

        # psycopg's pool per process (Django requires CONN_MAX_AGE 0 with it); connections are checked when lent.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        _options["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1, minimum=0),
            "max_size": env_int("DB_POOL_MAX_SIZE", 4, minimum=1),
            "timeout": env_int("DB_POOL_TIMEOUT", 5, minimum=1),  # seconds to wait for a connection, then 503
            "check": ConnectionPool.check_connection,
        }
    else:
        # A new PostgreSQL connection costs ~7 ms: keep them, and check them before reuse.
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600, minimum=0)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode, server-side cursors (.iterator()) break: turn them off.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
    # Parameters bound by the server and a query prepared once it has run twice on a connection: the pages' joins
    # cost PostgreSQL more to plan than to run (1 ms against 0.2 ms), and a prepared query is planned once per
    # connection. Behind PgBouncer in transaction mode (before 1.21's max_prepared_statements) turn this off too.
    if env_bool("DB_PREPARED_STATEMENTS", True):
        _options.setdefault("server_side_binding", True)
        _options.setdefault("prepare_threshold", 2)
else:
    # A file, not :memory:, for the test database: browser tests' live server runs in other threads.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while a user/IP pair is locked out
    "portal.auth.backends.LocalPasswordBackend",  # username and password, unless LOCAL_PASSWORDS_ENABLED is off
    "portal.auth.oidc.OidcBackend",  # OpenID Connect (Microsoft Entra ID), when OIDC_ISSUER is set
]
# How many reverse proxies (load balancer, ingress, CDN) stand in front of the portal: the client's address is the
# X-Forwarded-For entry that many places from the right. 0 (the default) ignores the header, which anyone can write.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# Sign-in throttling (portal/throttling.py): after 5 failures for one username from one address, or 20 from one
# address across any usernames, that address waits 15 minutes; the answer is a 429 with Retry-After.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "portal.throttling.SignInThrottle"
AXES_CLIENT_IP_CALLABLE = "portal.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Sign-in and onboarding (issue 14): local passwords, OpenID Connect (Microsoft Entra ID), invitations --------
# README "Signing in with Microsoft Entra ID" explains each setting and the app registration.
LOCAL_PASSWORDS_ENABLED = env_bool("LOCAL_PASSWORDS_ENABLED", True)
OIDC_ISSUER = env_str("OIDC_ISSUER", "").rstrip("/")  # e.g. https://login.microsoftonline.com/<tenant id>/v2.0
OIDC_DISCOVERY_URL = env_str("OIDC_DISCOVERY_URL", "")  # default: <issuer>/.well-known/openid-configuration
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_ALLOWED_TENANTS = [tenant.lower() for tenant in env_list("OIDC_ALLOWED_TENANTS", [])]
OIDC_ALLOWED_EMAIL_DOMAINS = [domain.lower().lstrip("@") for domain in env_list("OIDC_ALLOWED_EMAIL_DOMAINS", [])]
OIDC_DISPLAY_NAME_CLAIM = env_str("OIDC_DISPLAY_NAME_CLAIM", "name")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Microsoft")  # on the button: "Sign in with Microsoft"
_oidc_enabled = bool(OIDC_ISSUER or OIDC_DISCOVERY_URL)  # portal.auth.oidc.oidc_enabled() asks at run time
if _oidc_enabled and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("OpenID Connect sign-in needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET with OIDC_ISSUER.")
if _oidc_enabled and not (OIDC_ALLOWED_TENANTS or OIDC_ALLOWED_EMAIL_DOMAINS):
    raise ImproperlyConfigured(
        "OpenID Connect sign-in needs OIDC_ALLOWED_TENANTS (Entra ID tenant ids) or OIDC_ALLOWED_EMAIL_DOMAINS: "
        "without either, any account the provider knows could sign in."
    )
if _oidc_enabled and not DEBUG and not (OIDC_DISCOVERY_URL or OIDC_ISSUER).startswith("https://"):
    raise ImproperlyConfigured("OIDC_ISSUER (and OIDC_DISCOVERY_URL) must be https:// addresses in production.")
if not LOCAL_PASSWORDS_ENABLED and not _oidc_enabled:
    raise ImproperlyConfigured(
        "LOCAL_PASSWORDS_ENABLED=false needs OpenID Connect (OIDC_ISSUER): nobody could sign in."
    )
# mozilla-django-oidc: authorization code flow with PKCE (S256), state and nonce; ID tokens signed with RS256 and
# checked against the provider's published keys (the endpoints come from the discovery document).
OIDC_USE_PKCE = True
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)  # seconds for each call to the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
OIDC_REDIRECT_FIELD_NAME = "next"
# Invitations: a link works once, for this many days; sending and accepting are rate-limited (portal/auth/ratelimit.py).
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7, minimum=1)
# --- end of sign-in and onboarding -------------------------------------------------------------------------------

# Background tasks (Django's tasks framework): queued in the database and run by `manage.py db_worker`
# (`make run` starts one; the deployments run it as its own process). TASKS_BACKEND=immediate runs them in the
# request instead, for a setup without a worker.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_task_backend = env_str("TASKS_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {_task_backend!r}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend], "QUEUES": ["default"]}}

# E-mail (Django 6.1 mailers): printed to the console in development; SMTP from the environment in production.
_email_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_smtp_options: dict[str, object] = (
    {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
    }
    if _email_backend.endswith("smtp.EmailBackend")
    else {}
)
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _smtp_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Integration portal <portal@localhost>")
# Links in e-mails need the portal's public address (scheme and host, no trailing slash). Unset: in production the
# first of ALLOWED_HOSTS over HTTPS; in development this machine on PORT (what `make run` serves).
_public_host = next((host for host in ALLOWED_HOSTS if host and "*" not in host and not host.startswith(".")), "")
# Chat webhooks may go to private addresses, and over plain http, only when this is on: a local receiver in
# development or tests. Production refuses it.
OUTBOUND_ALLOW_PRIVATE = env_bool("OUTBOUND_ALLOW_PRIVATE", False)
if OUTBOUND_ALLOW_PRIVATE and not DEBUG:
    raise ImproperlyConfigured("OUTBOUND_ALLOW_PRIVATE is for development and tests only: leave it off in production.")
PORTAL_BASE_URL = env_str(
    "PORTAL_BASE_URL",
    f"https://{_public_host}" if not DEBUG and _public_host else f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}",
).rstrip("/")
# How long a process serves the catalog version it knows before asking the database again: a newly published
# version reaches every replica within this many seconds, and ranking needs no query in between.
CATALOG_RECHECK_SECONDS = env_int("CATALOG_RECHECK_SECONDS", 2, minimum=0)
# `make bench` turns this on in the server it measures, to serve the ceilings it compares with; never in production.
BENCHMARK_CEILINGS = env_bool("BENCHMARK_CEILINGS", False)

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic writes (the image bakes them in at build time; a test server writes to a temporary folder).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Content Security Policy: our own files only; inline script needs the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie (the token goes in hx-headers), but admin JS may.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # INSECURE_LOCAL_HTTP=true is only for trying the production build over plain HTTP on localhost (Compose).
    LOCAL_HTTP = env_bool("INSECURE_LOCAL_HTTP", False)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not LOCAL_HTTP)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", True) else None
    SESSION_COOKIE_SECURE = not LOCAL_HTTP
    CSRF_COOKIE_SECURE = not LOCAL_HTTP
    SECURE_HSTS_SECONDS = 0 if LOCAL_HTTP else env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Logs: one JSON object a line (time, level, logger, message, request id, user id) in production; text in
# development. LOG_FORMAT=json|text overrides. Every request gets one access line (portal.observability).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "portal.observability.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "portal.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s user=%(user_id)s] %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
}

# Errors go to Sentry when SENTRY_DSN is set (its Django integration: unhandled exceptions and error logs). No
# personal data is sent; a lost database is a 503 the middleware answers, not an error to report.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE", "") or None,
        send_default_pii=False,
        traces_sample_rate=0.0,
    )
