"""Saved rankings a newer catalog would answer differently: another first pick, or the same pick at another fit level.
Read without the saved rankings themselves (their first pick and fit level come out of the JSON in the query), and
each set of answers is ranked once per catalog version and process (``patterns.catalog.first_pick``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from patterns.catalog import first_pick, published_snapshot
from patterns.ranking.snapshot import CatalogSnapshot
from patterns.requirements import Requirements, RequirementsError
from portal.models import Capability, Integration, roles_that_can

FIELDS = ("pk", "project_id", "name", "project__name", "top_pattern_slug", "top_pattern_name", "fit_level",
          "requirements", "catalog_version", "reviewed_catalog_version")  # fmt: skip


def fit_phrase(level: str | None) -> str:
    """A ranking's fit level in a sentence: "a strong fit", "no fit"."""
    return {"strong": "a strong fit", "partial": "a partial fit", "none": "no fit"}.get(level or "", "an unknown fit")


@dataclass(frozen=True)
class PickChange:
    integration_id: int
    project_id: int
    integration: str
    project: str
    saved_pattern: str
    saved_name: str
    saved_level: str  # "" when the saved ranking predates fit levels
    new_pattern: str
    new_name: str
    new_level: str
    version: str  # the catalog version that answers differently
    requirements: Requirements  # the saved answers, as ranked
    forbidding: tuple[str, ...] = ()  # the titles of the organisation's policies that now forbid the saved pick
    without_policies: str = ""  # what would be first without the organisation's policies, when they changed it
    nothing_left: str = ""  # why no pattern is left, when the policies leave none

    @property
    def pick_changes(self) -> bool:
        return self.saved_pattern != self.new_pattern

    @property
    def new_label(self) -> str:
        return self.new_name or "no pattern"

    @property
    def policy_note(self) -> str:
        """What the organisation's policies did, in words ("" when they did nothing to the first pick)."""
        parts = []
        if self.forbidding:
            which, verb = ("policy", "forbids") if len(self.forbidding) == 1 else ("policies", "forbid")
            titles = " and ".join(f"“{title}”" for title in self.forbidding)
            parts.append(f"Your organisation's {which} {titles} {verb} the saved pick.")
        if self.without_policies and not (self.forbidding and self.without_policies == self.saved_name):
            parts.append(f"Without your organisation's policies, {self.without_policies} would be first.")
        return " ".join([*parts, self.nothing_left]).strip()  # the saved pick's fate first: a notice may be cut

    @property
    def url(self) -> str:
        return reverse("projects:integration", args=[self.project_id, self.integration_id])

    @property
    def short(self) -> str:
        """For a row of a list: what the current catalog would say."""
        if self.pick_changes:
            return f"The current catalog would pick {self.new_label}"
        return f"Now {fit_phrase(self.new_level)} (was {fit_phrase(self.saved_level)})"

    @property
    def text(self) -> str:
        """A sentence that stands alone (a banner, a notification)."""
        if self.pick_changes:
            was = f" ({fit_phrase(self.saved_level)})" if self.saved_level else ""
            note = f" {self.policy_note}" if self.policy_note else ""
            return (f"Catalog {self.version} would pick {self.new_label} ({fit_phrase(self.new_level)}) first for "
                    f"{self.integration}, not the saved {self.saved_name or 'answer'}{was}.{note}")  # fmt: skip
        return (f"Catalog {self.version} still picks {self.saved_name} first for {self.integration}, but as "
                f"{fit_phrase(self.new_level)} (it was {fit_phrase(self.saved_level)}).")  # fmt: skip


def _changes(rows: Iterable[tuple[Any, ...]], snapshot: CatalogSnapshot) -> Iterator[PickChange]:
    for pk, project_id, name, project, top, top_name, level, requirements, version, kept in rows:
        if snapshot.version in {version, kept}:
            continue  # ranked with this version, or the team kept its ranking after seeing it
        try:
            answers = Requirements.from_mapping(requirements)
        except RequirementsError:
            continue  # answers an older vocabulary allowed: the re-rank page explains those
        pick = first_pick(answers, snapshot)
        if pick is None:
            continue
        if pick.pattern != top or (level and pick.level != level):
            forbidding = tuple(dict.fromkeys(title for pattern, title in pick.forbidden if pattern == top))
            yield PickChange(pk, project_id, name, project, top, top_name, level or "", pick.pattern, pick.name,
                             pick.level, snapshot.version, answers, forbidding, pick.without_policies,
                             pick.summary)  # fmt: skip


def pick_changes(integrations: QuerySet[Integration], snapshot: CatalogSnapshot | None = None) -> list[PickChange]:
    """Those of ``integrations`` that the published catalog (or ``snapshot``) answers differently."""
    snapshot = snapshot or published_snapshot()
    pending = integrations.exclude(catalog_version=snapshot.version).exclude(reviewed_catalog_version=snapshot.version)
    return list(_changes(pending.order_by("project_id", "created_at", "id").values_list(*FIELDS), snapshot))


def pick_change_of(integration: Integration) -> PickChange | None:
    """The change for one integration (its page's banner), or None: worked out from the integration as its page
    loaded it (with its project), so the page reads nothing more for it."""
    return next(_changes([tuple(_loaded(integration, name) for name in FIELDS)], published_snapshot()), None)


def _loaded(integration: Integration, name: str) -> Any:
    """A value of FIELDS ("project__name" through the loaded project) from the integration in memory."""
    value: Any = integration
    for part in name.split("__"):
        value = getattr(value, part)
    return value


def my_pick_changes(user: Any, limit: int = 200) -> list[PickChange]:
    """Saved picks the current catalog answers differently, in the teams where ``user`` edits (My work): they can
    re-rank them. Bounded: the most recently ranked ``limit`` integrations are looked at."""
    writable = Integration.objects.filter(
        project__team__memberships__user=user,
        project__team__memberships__role__in=roles_that_can(Capability.WRITE),
    )
    recent = list(writable.order_by("-ranked_at").values_list("pk", flat=True)[:limit])
    return pick_changes(Integration.objects.filter(pk__in=recent))
