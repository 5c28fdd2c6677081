"""The Curators group with every catalog permission, including publishing."""

from django.db import migrations

CURATOR_MODELS = [
    "pattern", "patternlink", "fit", "questionweight", "caution", "scenario", "checklistsection", "checklistitem",
]  # fmt: skip


def create_curators(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():  # permissions exist only after post_migrate on a fresh database
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    permissions = Permission.objects.filter(content_type__app_label="patterns").filter(
        content_type__model__in=CURATOR_MODELS
    ) | Permission.objects.filter(
        content_type__app_label="patterns",
        codename__in=["view_catalogversion", "publish_catalog", "view_curationevent", "view_contentload"],
    )
    group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("patterns", "0003_publish_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curators, migrations.RunPython.noop)]
