"""Signing in: local passwords (which a setting can turn off), OpenID Connect with Microsoft Entra ID (or any
standard provider), the sessions each user can see and end, and the rate limits around onboarding."""
