"""Writing rows into a running stack through its public API, as a caller would (blocking)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from pmo_stack.testkit.answers import created
from pmo_stack.testkit.running_stack import RunningStack
from pmo_stack.testkit.waiting import wait_until

# Where monitoring and standards answer 200 once they have heard of a project through Kafka.
PROJECT_VIEWS = (
    ("monitoring", "/v1/projects/{}/health"),
    ("standards", "/v1/projects/{}/compliance"),
)


@dataclass
class Seeder:
    """Posts as the admin (or the manager), asserting each 201, and waits for the consumers."""

    stack: RunningStack
    http: httpx.Client
    admin_email: str
    manager_email: str

    @property
    def admin(self) -> dict[str, str]:
        return self.stack.tokens.headers("pmo_admin", self.admin_email)

    @property
    def manager(self) -> dict[str, str]:
        return self.stack.tokens.headers("project_manager", self.manager_email)

    def create(
        self, service: str, path: str, body: dict[str, Any], *, as_manager: bool = False
    ) -> dict[str, Any]:
        """POST `body` to the service's `path`; the created row."""
        headers = self.manager if as_manager else self.admin
        return created(self.http.post(self.stack.url(service, path), headers=headers, json=body))

    def project(self, body: dict[str, Any]) -> dict[str, Any]:
        """A project registered by the admin."""
        return self.create("intake", "/v1/projects", body)

    def request(self, title: str, project: dict[str, Any], *, submit: bool) -> dict[str, Any]:
        """The manager's project request, left a draft or submitted (as it then reads)."""
        request = self.create(
            "intake", "/v1/requests", {"title": title, "project": project}, as_manager=True
        )
        if not submit:
            return request
        url = self.stack.url("intake", f"/v1/requests/{request['id']}/submit")
        answer = self.http.post(url, headers=self.manager)
        assert answer.status_code == 200, answer.text
        submitted: dict[str, Any] = answer.json()
        return submitted

    def wait_until_known(self, *project_ids: str, within: float = 60) -> None:
        """Until monitoring and standards have heard of every project (through Kafka)."""
        for service, path in PROJECT_VIEWS:
            for project_id in project_ids:
                url = self.stack.url(service, path.format(project_id))

                def known_at(url: str = url) -> bool:
                    return self.http.get(url, headers=self.admin).status_code == 200

                wait_until(known_at, within=within, what=f"{url} to know the project")

    def subscribe_once_known(self, body: dict[str, Any], *, within: float = 60) -> None:
        """The manager subscribes to their project as soon as notifications has heard of it.

        Notifications has no read route for projects: the subscription succeeds once it has.
        """
        url = self.stack.url("notifications", "/v1/subscriptions")

        def subscribed() -> bool:
            return self.http.post(url, headers=self.manager, json=body).status_code == 201

        wait_until(subscribed, within=within, what="notifications to know the manager's project")

    def first_gate(self, methodology: str = "waterfall") -> tuple[str, str]:
        """The key of the methodology's first gate and the first deliverable it requires."""
        url = self.stack.url("standards", f"/v1/methodologies/{methodology}")
        gate = self.http.get(url, headers=self.admin).json()["gates"][0]
        return gate["key"], gate["required_deliverables"][0]
