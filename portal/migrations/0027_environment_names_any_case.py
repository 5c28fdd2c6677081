"""Environment names unique in a project whatever their case. Names that differed only in case before are told apart
first: the later ones (by id) get a number, "FO prod (2)", so nothing is lost and the inventory finds each again."""

import django.db.models.functions.text
from django.db import migrations, models


def tell_apart(apps, schema_editor):
    Environment = apps.get_model("portal", "Environment")
    taken: dict[int, set[str]] = {}
    for environment in Environment.objects.order_by("project_id", "id"):
        names = taken.setdefault(environment.project_id, set())
        name, number = environment.name, 1
        while name.lower() in names:
            number += 1
            suffix = f" ({number})"
            name = environment.name[: 100 - len(suffix)] + suffix
        names.add(name.lower())
        if name != environment.name:
            environment.name = name
            environment.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0026_overdue_digest_days"),
    ]

    operations = [
        migrations.RunPython(tell_apart, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="environment",
            name="environment_unique_name",
        ),
        migrations.AddConstraint(
            model_name="environment",
            constraint=models.UniqueConstraint(
                models.F("project"),
                django.db.models.functions.text.Lower("name"),
                name="environment_unique_name_any_case",
                violation_error_message="The project already has an environment by that name.",
            ),
        ),
    ]
