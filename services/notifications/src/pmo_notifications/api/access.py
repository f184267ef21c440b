"""Who may see and change what: role checks plus object-level checks against the projection."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pmo_common.auth.dependencies import forbid, require_roles
from pmo_common.auth.principal import KNOWN_ROLES, Principal

from pmo_notifications.domain.project_projection import ProjectRecord
from pmo_notifications.domain.subscription_matching import SubscriptionRecord

# Any known role may call the read routes; what each one sees is narrowed per object.
AnyRolePrincipal = Annotated[Principal, Depends(require_roles(*sorted(KNOWN_ROLES)))]
AdminPrincipal = Annotated[Principal, Depends(require_roles("pmo_admin"))]
PortfolioPrincipal = Annotated[Principal, Depends(require_roles("pmo_admin", "portfolio_manager"))]
PolicyReaderPrincipal = Annotated[
    Principal, Depends(require_roles("pmo_admin", "portfolio_manager", "viewer"))
]
ALERT_HANDLER_ROLES = ("pmo_admin", "portfolio_manager")


def leads(principal: Principal, project: ProjectRecord | None) -> bool:
    """Whether the caller manages or sponsors the project."""
    if project is None:
        return False
    return principal.manages(project.manager) or principal.manages(project.sponsor)


def ensure_can_read_alert(principal: Principal, project: ProjectRecord | None) -> None:
    """403 unless the caller reads across projects or leads the alert's project."""
    if not principal.sees_everything and not leads(principal, project):
        raise forbid("You can only see alerts of projects you manage or sponsor.")


def ensure_can_handle_alert(principal: Principal, project: ProjectRecord | None) -> None:
    """403 unless the caller is a PMO admin, a portfolio manager, or leads the project."""
    if not principal.has_any_role(*ALERT_HANDLER_ROLES) and not leads(principal, project):
        raise forbid(
            "Only the project's manager or sponsor, a portfolio manager or a PMO admin may "
            "acknowledge or resolve this alert."
        )


def ensure_can_subscribe(
    principal: Principal, *, project_id: str | None, project: ProjectRecord | None
) -> None:
    """403 unless the caller may subscribe with these filters."""
    if principal.has_any_role("pmo_admin", "portfolio_manager"):
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
    """403 unless the caller is a PMO admin, or a portfolio manager and the policy is a
    portfolio's (the default policy, like a silence of everything, is the PMO's alone)."""
    if portfolio_id is None and not principal.has_any_role("pmo_admin"):
        raise forbid("Only a PMO admin may change the default escalation policy.")
