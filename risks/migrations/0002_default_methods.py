from django.db import migrations


def install_defaults(apps, schema_editor):
    from risks.defaults import install

    install(apps.get_model("risks", "AssessmentMethod"), apps.get_model("risks", "MethodVersion"),
            apps.get_model("risks", "ControlRule"))


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(install_defaults, migrations.RunPython.noop)]
