from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    default = True  # this module also defines the admin's config
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal.auth.sessions import remember_session, remember_time_zone
        from portal.services import catalog_changes

        user_logged_in.connect(remember_session, dispatch_uid="portal.remember_session")
        user_logged_in.connect(remember_time_zone, dispatch_uid="portal.remember_time_zone")
        catalog_changes.connect()  # a publish that changes saved picks tells their owners


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "portal.admin_site.CurationAdminSite"
