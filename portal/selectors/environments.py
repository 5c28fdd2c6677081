"""A project's environments and the limits their integrations share: each environment's integrations summed against
the limits it shares, those that run as one account against that account's, and the whole project against the
tenant's. The arithmetic is the catalog's (patterns.ranking.shared); the pattern each integration counts with is its
decision's choice, else its first pick. Limits of one pool (one budget under several slugs) are summed together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from patterns.catalog import published_snapshot
from patterns.ranking.capacity import CapacityRecord, Estimate
from patterns.ranking.shared import Pool, Share, pool_of, pools, share_of, shared_estimate, shared_limits, shared_record
from patterns.ranking.snapshot import LimitEntry
from patterns.requirements import Requirements, RequirementsError
from portal.models import Decision, Environment, Integration, Project


@dataclass(frozen=True)
class SharedCheck:
    """One shared limit for one group of integrations: who shares it (``by``: environment, identity or tenant, and
    the account's name for an identity) and the estimate."""

    by: str
    estimate: Estimate
    identity: str = ""
    members: int = 1  # the integrations that draw on it

    @property
    def who(self) -> str:
        """Who shares it, in words."""
        if self.by == "identity":
            return f"Integrations running as {self.identity}"
        return "The whole project (the tenant's pool)" if self.by == "tenant" else "The environment's integrations"

    def to_json(self) -> dict[str, Any]:
        return {**self.estimate.to_json(), "shared_by": self.by, "identity": self.identity}


@dataclass
class EnvironmentCheck:
    environment: Environment | None  # None: the tenant (every integration of the project)
    integrations: list[Integration] = field(default_factory=list)
    checks: list[SharedCheck] = field(default_factory=list)
    unnamed_accounts: int = 0  # integrations that name no account: their per-account limits are checked alone

    @property
    def capacity(self) -> CapacityRecord:
        return shared_record([check.estimate for check in self.checks])

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.capacity.verdict, "estimates": [check.to_json() for check in self.checks]}


def relied_pattern(integration: Integration) -> str:
    """The pattern an integration counts with: its decision's choice, else its first pick."""
    try:
        chosen = integration.decision.chosen_pattern_slug
    except Decision.DoesNotExist:
        chosen = ""
    return chosen or integration.top_pattern_slug


def _shares(integrations: list[Integration], by: str) -> list[tuple[Pool, list[Share]]]:
    """Each budget shared ``by`` that their patterns meet (a limit's pool, else the limit) with each integration's
    share, worked out with the limit it meets (its own batching)."""
    snapshot = published_snapshot()
    patterns = {pattern.slug: pattern for pattern in snapshot.patterns}
    budgets: dict[str, Pool] | None = snapshot.memo.get("shared_pools")
    if budgets is None:  # a snapshot never changes: its pools are worked out once
        budgets = snapshot.memo["shared_pools"] = pools(snapshot.patterns)
    found: dict[str, list[Share]] = {}
    met: dict[str, dict[str, LimitEntry]] = {}  # pool -> the limits of it these integrations meet, by slug
    for integration in integrations:
        pattern = patterns.get(relied_pattern(integration))
        if pattern is None:
            continue
        try:
            requirements = Requirements.from_mapping(integration.requirements)
        except RequirementsError:
            continue  # saved under an older vocabulary: it can't be checked until it is ranked again
        counted: set[str] = set()  # a pattern meeting two limits of one pool draws on it once
        for limit in shared_limits(pattern, requirements):
            key = pool_of(limit)
            if limit.shared == by and key not in counted:
                counted.add(key)
                found.setdefault(key, []).append(share_of(limit, integration.name, requirements))
                met.setdefault(key, {})[limit.slug] = limit
    return [(_told(budgets[key], met[key]), shares) for key, shares in found.items()]


def _told(pool: Pool, met: dict[str, LimitEntry]) -> Pool:
    """A pool its integrations all meet through one of its limits is told in that limit's words (the connectors' for
    Logic Apps alone); one they meet through several, in its first limit's."""
    return pool._replace(limit=next(iter(met.values()))) if len(met) == 1 else pool


def _check(integrations: list[Integration], by: str, identity: str = "") -> list[SharedCheck]:
    return [
        SharedCheck(
            by,
            shared_estimate(pool.limit, shares, counted=pool.patterns if pool.limits > 1 else ()),
            identity,
            len(shares),
        )
        for pool, shares in _shares(integrations, by)
    ]


def environment_check(environment: Environment, integrations: list[Integration]) -> EnvironmentCheck:
    """``integrations``: the environment's, with their decisions."""
    check = EnvironmentCheck(environment, integrations, _check(integrations, "environment"))
    accounts: dict[str, list[Integration]] = defaultdict(list)
    for integration in integrations:
        if integration.identity:
            accounts[integration.identity.casefold()].append(integration)
        else:
            check.unnamed_accounts += 1
    for members in accounts.values():
        if len(members) > 1:  # one integration alone on an account is its own capacity check
            check.checks += _check(members, "identity", members[0].identity)
    return check


def _checked(integrations: QuerySet[Integration]) -> list[Integration]:
    """What the shared check and the environment's page read of each integration (not its saved ranking)."""
    return list(
        integrations.select_related("decision")
        .only(
            "id",
            "name",
            "requirements",
            "top_pattern_slug",
            "top_pattern_name",
            "environment_id",
            "identity",
            "decision__chosen_pattern_slug",
            "decision__status",
        )
        .order_by("name", "id")
    )


def _integrations(project: Project) -> list[Integration]:
    return _checked(Integration.objects.filter(project=project))


def environment_integrations(environment: Environment) -> list[Integration]:
    """An environment's integrations, by name, with what its check needs."""
    return _checked(environment.integrations.all())


def environment_checks(
    environments: Iterable[Environment], integrations: list[Integration]
) -> tuple[list[EnvironmentCheck], EnvironmentCheck]:
    """Each environment's check and the tenant's (every integration given), from rows already read."""
    by_environment: dict[int, list[Integration]] = defaultdict(list)
    for integration in integrations:
        if integration.environment_id is not None:
            by_environment[integration.environment_id].append(integration)
    checks = [environment_check(e, by_environment[e.pk]) for e in environments]
    return checks, EnvironmentCheck(None, integrations, _check(integrations, "tenant"))


def project_environment_checks(project: Project) -> tuple[list[EnvironmentCheck], EnvironmentCheck]:
    """Each environment's check, and the tenant's (every integration of the project), in two queries."""
    return environment_checks(project.environments.all(), _integrations(project))


def shared_verdicts(project: Project) -> set[str]:
    """The verdicts of the project's shared checks that several integrations draw on (for the checklist's conditional
    task: one integration alone near a limit already has its own)."""
    checks, tenant = project_environment_checks(project)
    return {check.estimate.verdict for each in [*checks, tenant] for check in each.checks if check.members > 1}
