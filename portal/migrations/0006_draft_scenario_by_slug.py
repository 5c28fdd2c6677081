"""A wizard draft names its curated scenario by slug and catalog version instead of a foreign key to the
curators' draft rows (which may change or be removed)."""

from typing import Any

from django.db import migrations, models


def copy_scenario_slugs(apps: Any, schema_editor: Any) -> None:
    WizardDraft = apps.get_model("portal", "WizardDraft")
    for draft in WizardDraft.objects.filter(scenario__isnull=False).select_related("scenario"):
        draft.scenario_slug = draft.scenario.slug
        draft.save(update_fields=["scenario_slug"])


def copy_scenario_links(apps: Any, schema_editor: Any) -> None:
    WizardDraft = apps.get_model("portal", "WizardDraft")
    Scenario = apps.get_model("patterns", "Scenario")
    by_slug = {s.slug: s for s in Scenario.objects.all()}
    for draft in WizardDraft.objects.exclude(scenario_slug=""):
        draft.scenario = by_slug.get(draft.scenario_slug)
        draft.save(update_fields=["scenario"])


class Migration(migrations.Migration):
    dependencies = [
        ("patterns", "0004_curators_group"),
        ("portal", "0005_checklist_conditions"),
    ]

    operations = [
        migrations.AddField(model_name="wizarddraft", name="scenario_slug", field=models.SlugField(blank=True)),
        migrations.AddField(
            model_name="wizarddraft", name="catalog_version", field=models.CharField(blank=True, max_length=80)
        ),
        migrations.RunPython(copy_scenario_slugs, copy_scenario_links),
        migrations.RemoveField(model_name="wizarddraft", name="scenario"),
    ]
