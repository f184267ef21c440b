"""Dependencies specific to notifications' routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pmo_common.web.app_factory import RuntimeDep

from pmo_notifications.config import NotificationsSettings


def notifications_settings(runtime: RuntimeDep) -> NotificationsSettings:
    """The settings the running app was built with."""
    settings = runtime.settings
    if not isinstance(settings, NotificationsSettings):
        raise TypeError("the notifications app must run with NotificationsSettings")
    return settings


SettingsDep = Annotated[NotificationsSettings, Depends(notifications_settings)]
