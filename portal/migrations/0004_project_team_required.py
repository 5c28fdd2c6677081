"""Every project has a team now (0003 moved existing ones); a separate migration so PostgreSQL applies the data
change before it alters the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_personal_teams")]

    operations = [
        migrations.AlterField(
            model_name="project",
            name="team",
            field=models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="projects", to="portal.team"),
        ),
    ]
