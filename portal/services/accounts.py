"""Accounts: made on first sign-in with an identity provider, made from an invitation, the signed-in sessions
each person can see and end, and the time zone each reads in."""

from __future__ import annotations

import re
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from portal.models import (
    AccountPreference,
    Membership,
    OidcIdentity,
    Project,
    ProjectChecklistEntry,
    Team,
    UserSession,
    VerifiedEmail,
)
from portal.time_zones import OFFER_SESSION_KEY, SESSION_KEY

USERNAME_UNSAFE = re.compile(r"[^\w.+-]")
PASSWORD_METHOD = "password"  # noqa: S105 - the name of a sign-in method, not a secret


def _free_username(hint: str) -> str:
    """A username from the local part of an address ("ada.lovelace" from ada.lovelace@contoso.com), made unique."""
    base = USERNAME_UNSAFE.sub("", hint.partition("@")[0].lower())[:140] or "user"
    taken = set(
        get_user_model().objects.filter(username__startswith=base).values_list("username", flat=True).iterator()
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def email_verified_add(*, user: User, email: str, how: str) -> None:
    """Remember that ``email`` is shown to be ``user``'s (``VerifiedEmail.How``: how it was shown)."""
    email = email.strip().lower()
    if email:
        VerifiedEmail.objects.update_or_create(user=user, email=email,
                                               defaults={"how": how, "verified_at": timezone.now()})  # fmt: skip


def email_is_verified(user: User, email: str) -> bool:
    return VerifiedEmail.objects.filter(user=user, email=email.strip().lower()).exists()


@transaction.atomic
def account_sign_in_oidc(
    *,
    issuer: str,
    subject: str,
    tenant: str,
    email: str,
    display_name: str,
    username_hint: str,
    email_vouched: bool = False,
) -> User:
    """The account of whoever the provider vouches for, matched by issuer and subject; created the first time (just
    in time, without a usable password). The address and display name follow the provider's on every sign-in; an
    address the provider vouches for (``email_vouched``) counts as the account's own (it may accept invitations)."""
    user = _oidc_account(issuer=issuer, subject=subject, tenant=tenant, email=email, display_name=display_name,
                         username_hint=username_hint)  # fmt: skip
    if email_vouched:
        email_verified_add(user=user, email=email, how=VerifiedEmail.How.PROVIDER)
    return user


def _oidc_account(*, issuer: str, subject: str, tenant: str, email: str, display_name: str, username_hint: str) -> User:
    now = timezone.now()
    identity = (
        OidcIdentity.objects.select_for_update().select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    if identity is None:
        user = get_user_model()(username=_free_username(username_hint), email=email, first_name=display_name[:150])
        user.set_unusable_password()
        user.full_clean()
        identity = OidcIdentity(user=user, issuer=issuer, subject=subject, tenant=tenant, email=email)
        try:
            with transaction.atomic():
                user.save()
                identity.user = user
                identity.last_login_at = now
                identity.full_clean()
                identity.save()
        except IntegrityError:  # the same person's first sign-in in two tabs at once: the other one made it
            identity = OidcIdentity.objects.select_related("user").get(issuer=issuer, subject=subject)
        return identity.user
    user = identity.user
    latest = {"email": email, "first_name": display_name[:150]}
    changed = [field for field, value in latest.items() if value and getattr(user, field) != value]
    for field in changed:
        setattr(user, field, latest[field])
    if changed:
        user.save(update_fields=changed)
        if "first_name" in changed:
            account_names_changed(user=user)
    identity.tenant, identity.email, identity.last_login_at = tenant, email, now
    identity.save(update_fields=["tenant", "email", "last_login_at"])
    return user


@transaction.atomic
def account_create_local(*, username: str, email: str, password: str) -> User:
    """A local account, made by someone who holds an invitation (the form has validated the password)."""
    user = get_user_model()(username=username, email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def sessions_are_stored_in_the_database() -> bool:
    return settings.SESSION_ENGINE in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }


def session_record(
    *, user: User, session_key: str | None, method: str, user_agent: str, ip_address: str | None
) -> UserSession | None:
    """Remember a new signed-in session so its owner can see it and end it."""
    if not session_key or not sessions_are_stored_in_the_database():
        return None
    session, _ = UserSession.objects.update_or_create(
        session_id=session_key,
        defaults={"user": user, "method": method[:20], "user_agent": user_agent[:300], "ip_address": ip_address},
    )
    return session


def session_revoke(*, session: UserSession) -> None:
    """End a session at once: its browser is signed out on its next request. The row goes with the session."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore(session_key=session.session_id).delete()
    UserSession.objects.filter(pk=session.pk).delete()  # the cache-only part of cached_db leaves the row


def sessions_revoke_others(*, user: User, current_key: str | None) -> int:
    others = list(UserSession.objects.filter(user=user).exclude(session_id=current_key or ""))
    for session in others:
        session_revoke(session=session)
    return len(others)


def account_names_changed(*, user: User) -> None:
    """A person's username or name changed: their teams' pages show it, and so do the checklists of projects where
    they own a task (a team they may have left since), so each of those teams and projects counts a change (in this
    transaction, like any other, teams first as every team change does), and every page keyed by those counters shows
    the new name at once."""
    teams = sorted(Membership.objects.filter(user=user).values_list("team_id", flat=True))
    Team.objects.filter(pk__in=teams).update(revision=F("revision") + 1)
    owned = ProjectChecklistEntry.objects.filter(assignee=user).values("project_id")
    Project.objects.filter(pk__in=owned).update(revision=F("revision") + 1)


@transaction.atomic
def account_time_zone_set(*, user: User, time_zone: str) -> AccountPreference:
    """The zone ``user`` reads dates and times in, and gets reminders at 06:00 in: saved as chosen (so sign-in stops
    offering the browser's), and carried into each of their signed-in sessions at once (the pages read it there)."""
    preference = AccountPreference.objects.filter(user=user).first() or AccountPreference(user=user)
    preference.time_zone, preference.time_zone_chosen_at = time_zone, timezone.now()
    preference.full_clean()
    preference.save()
    # Each session's data rewritten in place, its row's expiry kept: saving it through a SessionStore would give
    # every other device a fresh two weeks, and fail if one signed out meanwhile (such a row is simply gone here).
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = UserSession.objects.filter(user=user).values_list("session_id", flat=True)
    for key, encoded in store.get_model_class().objects.filter(pk__in=keys).values_list("pk", "session_data"):
        data = store().decode(encoded)
        if data.get("_auth_user_id") != str(user.pk):
            continue
        data[SESSION_KEY] = preference.time_zone
        data.pop(OFFER_SESSION_KEY, None)
        store.get_model_class().objects.filter(pk=key).update(session_data=store().encode(data))
    return preference
