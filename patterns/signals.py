"""What the catalog tells the rest of the portal without knowing it: ``catalog_published`` is sent in the
publishing transaction once a version exists (a publish or a rollback), with ``version`` (its label, "v7"), so work
queued by a receiver commits with the version or not at all."""

from __future__ import annotations

from django.dispatch import Signal

catalog_published = Signal()
