from django.db import migrations


def install_defaults(apps, schema_editor):
    from notifications.defaults import install

    install(apps.get_model("notifications", "ReminderRule"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(install_defaults, migrations.RunPython.noop)]
