"""Data migration: install the default rule pack shipped in coaching/rulepacks/default.yaml."""

from types import SimpleNamespace

from django.db import migrations


def install(apps, schema_editor):
    from coaching.engine.rules import load_pack
    from coaching.services import rule_pack_install

    models = SimpleNamespace(
        Behaviour=apps.get_model("coaching", "Behaviour"),
        PhraseRule=apps.get_model("coaching", "PhraseRule"),
        RulePackVersion=apps.get_model("coaching", "RulePackVersion"),
    )
    rule_pack_install(pack=load_pack(), models=models)


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
