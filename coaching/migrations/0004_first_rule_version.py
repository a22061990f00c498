"""Data migration: the installed rules become published version 1; token caches get the fast format."""

from django.db import migrations


def forwards(apps, schema_editor):
    from coaching.selectors import snapshot_from_rows

    RuleSet = apps.get_model("coaching", "RuleSet")
    Behaviour = apps.get_model("coaching", "Behaviour")
    PhraseRule = apps.get_model("coaching", "PhraseRule")
    RulePackVersion = apps.get_model("coaching", "RulePackVersion")
    if not RuleSet.objects.exists() and Behaviour.objects.exists():
        pack = RulePackVersion.objects.order_by("-installed_at").first()
        RuleSet.objects.create(
            number=1,
            is_active=True,
            comment="Installed rule pack",
            source=f"{pack.name}@{pack.version}" if pack else "",
            snapshot=snapshot_from_rows(Behaviour, PhraseRule),
        )
    MeetingTokens = apps.get_model("coaching", "MeetingTokens")
    from coaching.engine.fast import pack as pack_tokens
    from coaching.engine.fast import search_text
    from coaching.engine.matching import TokenisedTurns

    for row in MeetingTokens.objects.filter(format=1).iterator(chunk_size=200):
        tt = TokenisedTurns(row.language, tuple(tuple(tuple(x) for x in toks) for toks in row.tokens))
        pt = pack_tokens(tt)
        row.tokens = pt.as_json()
        row.format = 2
        row.search = search_text([t["text"] for t in row.turns], pt)
        row.save(update_fields=["tokens", "format", "search"])


class Migration(migrations.Migration):
    dependencies = [("coaching", "0003_workbench")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
