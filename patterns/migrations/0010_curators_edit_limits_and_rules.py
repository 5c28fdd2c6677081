"""Curators edit platform limits and rules too (limits were curated in the admin, but the group lacked them)."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():  # permissions exist only after post_migrate on a fresh database
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="patterns", content_type__model__in=["limit", "rule"])
    )


class Migration(migrations.Migration):
    dependencies = [("patterns", "0009_rules_fit_sources_caution_dates")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
