"""Who may see and change what: role checks plus object-level checks against the projection.

A portfolio manager acts only for the portfolios they are a `portfolio_manager` member of; any
member of a portfolio reads its projects' alerts (docs/adr/0026). The role dependencies hand
the routes a `ScopedPrincipal` carrying those memberships; the checks read them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pmo_common.auth.dependencies import forbid, require_roles
from pmo_common.auth.principal import KNOWN_ROLES, Principal
from pmo_common.portfolios.dependency import scoped
from pmo_common.portfolios.scope import ScopedPrincipal, scoped_view

from pmo_notifications.domain.project_projection import ProjectRecord
from pmo_notifications.domain.silence_rules import SilenceRecord
from pmo_notifications.domain.subscription_matching import SubscriptionRecord
from pmo_notifications.handlers.portfolio_members import portfolio_scope


def _scoped(*roles: str) -> object:
    return Depends(scoped(require_roles(*roles), portfolio_scope))


# Any known role may call the read routes; what each one sees is narrowed per object.
AnyRolePrincipal = Annotated[ScopedPrincipal, _scoped(*sorted(KNOWN_ROLES))]
AdminPrincipal = Annotated[Principal, Depends(require_roles("pmo_admin"))]
PortfolioPrincipal = Annotated[ScopedPrincipal, _scoped("pmo_admin", "portfolio_manager")]
PolicyReaderPrincipal = Annotated[
    ScopedPrincipal, _scoped("pmo_admin", "portfolio_manager", "viewer")
]


def leads(principal: Principal, project: ProjectRecord | None) -> bool:
    """Whether the caller manages or sponsors the project."""
    if project is None:
        return False
    return principal.manages(project.manager) or principal.manages(project.sponsor)


def _portfolio_of(project: ProjectRecord | None) -> str | None:
    return None if project is None else project.portfolio_id


def ensure_can_read_alert(principal: Principal, project: ProjectRecord | None) -> None:
    """403 unless the caller reads across projects, is a member of the project's portfolio, or
    leads the alert's project."""
    if not scoped_view(principal).reads_portfolio(_portfolio_of(project)) and not leads(
        principal, project
    ):
        raise forbid(
            "You can only see alerts of projects you manage or sponsor, or of portfolios you are "
            "a member of."
        )


def ensure_can_handle_alert(principal: Principal, project: ProjectRecord | None) -> None:
    """403 unless the caller is a PMO admin, a portfolio manager of the project's portfolio,
    or leads the project."""
    if not scoped_view(principal).manages_portfolio(_portfolio_of(project)) and not leads(
        principal, project
    ):
        raise forbid(
            "Only the project's manager or sponsor, a manager of its portfolio or a PMO admin "
            "may acknowledge or resolve this alert."
        )


def alert_portfolios_filter(principal: Principal) -> frozenset[str]:
    """The portfolios whose alerts a narrowed list shows besides the caller's projects'."""
    return scoped_view(principal).portfolios.readable


def reads_every_alert(principal: Principal) -> bool:
    """PMO admins, viewers and services list every alert; others a narrowed list."""
    return scoped_view(principal).reads_everything


def ensure_can_silence(
    principal: Principal, *, scope: SilenceRecord, project: ProjectRecord | None
) -> None:
    """403 unless the caller is a PMO admin, or manages (as a portfolio_manager member) the
    portfolio the silence names or the portfolio of the project it names (`project`: what is
    known of it). A silence of everything is the PMO's alone."""
    caller = scoped_view(principal)
    if caller.is_admin:
        return
    if scope.project_id is None and scope.portfolio_id is None:
        raise forbid("Only a PMO admin may silence every project or end such a silence.")
    if scope.portfolio_id is not None and not caller.manages_portfolio(scope.portfolio_id):
        raise forbid(f"You do not manage portfolio {scope.portfolio_id}, so you cannot silence it.")
    if scope.project_id is not None and not caller.manages_portfolio(_portfolio_of(project)):
        raise forbid(
            f"You do not manage the portfolio of project {scope.project_id}, so you cannot "
            "silence it."
        )


def _ensure_portfolio_manager_may_subscribe(
    caller: ScopedPrincipal,
    *,
    project_id: str | None,
    project: ProjectRecord | None,
    portfolio_id: str | None,
) -> bool:
    """Whether a portfolio manager may subscribe with these filters (403 when a filter names
    a portfolio they are not a member of); False leaves it to the project manager's rule."""
    if project_id is None and portfolio_id is None:
        raise forbid(
            "A portfolio manager must subscribe with a portfolio_id or project_id filter "
            "naming a portfolio they are a member of, or one of its projects."
        )
    if portfolio_id is not None and not caller.reads_portfolio(portfolio_id):
        raise forbid(
            f"You are not a member of portfolio {portfolio_id}, so you cannot subscribe to it."
        )
    if project_id is None or caller.reads_portfolio(_portfolio_of(project)):
        return True
    if caller.has_any_role("project_manager"):
        return False
    raise forbid(
        f"Project {project_id} is not in a portfolio you are a member of, so you cannot "
        "subscribe to it."
    )


def ensure_can_subscribe(
    principal: Principal,
    *,
    project_id: str | None,
    project: ProjectRecord | None,
    portfolio_id: str | None = None,
) -> None:
    """403 unless the caller may subscribe with these filters: a PMO admin to anything; a
    portfolio manager to the portfolios they are a member of (and their projects); a project
    manager to a project they manage."""
    caller = scoped_view(principal)
    if caller.is_admin:
        return
    if caller.has_any_role("portfolio_manager") and _ensure_portfolio_manager_may_subscribe(
        caller, project_id=project_id, project=project, portfolio_id=portfolio_id
    ):
        return
    if not principal.has_any_role("project_manager"):
        raise forbid("Subscribing needs the pmo_admin, portfolio_manager or project_manager role.")
    if project_id is None:
        raise forbid(
            "A project manager must subscribe with a project_id filter naming a project "
            "they manage."
        )
    if project is None or not principal.manages(project.manager):
        raise forbid(f"You do not manage project {project_id}, so you cannot subscribe to it.")


def limited_to_allowed_email_domains(principal: Principal) -> bool:
    """Whether the caller's e-mail subscriptions must stay within the allowed domains
    (PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS): everyone's but a PMO admin's."""
    return not principal.has_any_role("pmo_admin")


def ensure_can_manage_subscription(principal: Principal, subscription: SubscriptionRecord) -> None:
    """403 unless the subscription is the caller's own, or the caller is a PMO admin."""
    if subscription.owner != principal.subject and not sees_all_subscriptions(principal):
        raise forbid("This subscription belongs to someone else.")


def actor_name(principal: Principal) -> str:
    """How the caller is named in alert history: their e-mail, else their subject."""
    return principal.email or principal.subject


def sees_all_subscriptions(principal: Principal) -> bool:
    """PMO admins see and delete every subscription; others only their own."""
    return principal.has_any_role("pmo_admin")


def sees_all_deliveries(principal: Principal) -> bool:
    """PMO admins (and services) see every delivery; others those of their projects."""
    return principal.has_any_role("pmo_admin", "service")


def ensure_can_manage_policy(principal: Principal, *, portfolio_id: str | None) -> None:
    """403 unless the caller is a PMO admin, or the policy is a portfolio's and the caller
    manages that portfolio (the default policy, like a silence of everything, is the PMO's
    alone)."""
    caller = scoped_view(principal)
    if portfolio_id is None and not caller.is_admin:
        raise forbid("Only a PMO admin may change the default escalation policy.")
    if not caller.manages_portfolio(portfolio_id):
        raise forbid(
            f"You do not manage portfolio {portfolio_id}, so you cannot change its escalation "
            "policy."
        )
