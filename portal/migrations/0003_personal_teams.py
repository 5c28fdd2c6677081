"""Move every existing project into a personal team of its owner, who becomes that team's owner."""

from django.conf import settings
from django.db import migrations


def into_personal_teams(apps, schema_editor):
    Project = apps.get_model("portal", "Project")
    Team = apps.get_model("portal", "Team")
    Membership = apps.get_model("portal", "Membership")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    for owner_id in Project.objects.filter(team__isnull=True).values_list("owner_id", flat=True).distinct():
        owner = User.objects.get(pk=owner_id)
        team, created = Team.objects.get_or_create(personal_for=owner, defaults={"name": f"{owner.username}'s team"})
        if created:
            Membership.objects.create(team=team, user=owner, role="owner")
        Project.objects.filter(owner_id=owner_id, team__isnull=True).update(team=team)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_teams_decisions_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(into_personal_teams, migrations.RunPython.noop)]
