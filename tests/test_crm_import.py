"""Importing deals and outcomes from a CRM's CSV export: Salesforce and HubSpot shapes, Shift_JIS
from Japanese Excel, a preview that writes nothing, a confirm that writes deals and links their
meetings, a second import that updates by CRM id, and who may import into which team."""

import datetime

import pytest

from deals import crm_import, crm_match
from deals.models import Deal, DealMeeting
from tests.coaching_pages import FAST_HASHERS
from tests.conftest import DATA

D = datetime.date
SALESFORCE = DATA / "crm" / "salesforce_opportunities.csv"
HUBSPOT_CP932 = DATA / "crm" / "hubspot_deals_cp932.csv"
URL = "/deals/import/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def named(alice, bob, erin):
    """The reps as the CRM knows them: by full name (Salesforce) or e-mail (HubSpot)."""
    for user, first, last in ((alice, "Alice", "Sato"), (bob, "Bob", "Suzuki"), (erin, "Erin", "Kato")):
        user.first_name, user.last_name, user.email = first, last, f"{user.username}@example.com"
        user.save()
    return alice, bob, erin


def _upload(client, path, team=None, lang="en", name=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = path.read_bytes() if hasattr(path, "read_bytes") else path
    data = {"file": SimpleUploadedFile(name or getattr(path, "name", "deals.csv"), raw, "text/csv")}
    if team is not None:
        data["team"] = team.pk
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE=lang)


def _confirm(client, response, team, lang="en", **mapping):
    """Press "Import" on a preview, with the preview's column choices (changed by mapping)."""
    chosen = {
        f"map_{r['field']}": "" if r["chosen"] is None else r["chosen"]
        for r in response.context["mapping_rows"]
    }
    chosen.update({f"map_{k}": v for k, v in mapping.items()})
    data = {"blob": response.context["blob"], "team": team.pk, "action": "confirm", **chosen}
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE=lang)


# --- reading the files (pure) ---


def test_salesforce_export_is_read_with_its_columns_stages_and_us_dates():
    table = crm_import.read_table(SALESFORCE.read_bytes())
    mapping = crm_import.guess_mapping(table.headers)
    assert crm_import.export_format(table.headers) == "salesforce" and table.encoding == "utf-8"
    assert crm_import.missing_fields(mapping) == []
    assert table.headers[mapping["customer"]] == "Account Name"  # BOM stripped from the first header
    rows = {r.crm_id: r for r in crm_import.parse_rows(table, mapping)}
    won = rows["006A000001"]
    assert (won.outcome, won.stage, won.amount, won.opened_on, won.closed_on) == (
        "won",
        "closed",
        1200000,
        D(2026, 10, 1),
        D(2026, 11, 20),
    )
    assert (rows["006A000002"].outcome, rows["006A000003"].outcome, rows["006A000003"].stage) == (
        "lost",
        "open",
        "proposal",
    )
    assert rows["006A000003"].closed_on is None  # an open deal's close date is only a forecast
    assert set(rows["006A000005"].problems) == {"bad_amount", "closed_without_date"}


def test_hubspot_export_resaved_by_japanese_excel_in_shift_jis_is_read():
    raw = HUBSPOT_CP932.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is Shift_JIS
    table = crm_import.read_table(raw)
    assert crm_import.export_format(table.headers) == "hubspot" and table.encoding == "cp932"
    rows = {r.crm_id: r for r in crm_import.parse_rows(table, crm_import.guess_mapping(table.headers))}
    assert (rows["9001"].name, rows["9001"].outcome, rows["9001"].amount) == ("新規導入", "won", 800000)
    assert rows["9001"].closed_on == D(2026, 10, 30)  # the time of day is dropped
    assert (rows["9002"].stage, rows["9003"].outcome) == ("lead", "lost")
    assert rows["9004"].outcome == "open" and rows["9004"].notes == ("stage_unknown",)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Closed Won", ("closed", "won")),
        ("closedlost", ("closed", "lost")),
        ("受注", ("closed", "won")),
        ("失注", ("closed", "lost")),
        ("Negotiation/Review", ("negotiation", "open")),
        ("提案中", ("proposal", "open")),
        ("Qualified To Buy", ("discovery", "open")),
    ],
)
def test_crm_stages_map_to_open_won_or_lost(label, expected):
    assert crm_import.stage_outcome(label)[:2] == expected


def test_company_names_match_across_legal_forms_spaces_and_full_width():
    same = ["株式会社山田商事", "山田商事（株）", "㈱山田商事", "山田 商事"]
    assert len({crm_match.normalise_company(n) for n in same}) == 1
    assert crm_match.normalise_company("ACME, Inc.") == crm_match.normalise_company("Ａｃｍｅ Inc")
    assert crm_match.normalise_company("Globex Co., Ltd.") == "globex"


def test_a_meeting_two_deals_could_claim_is_reported_and_not_linked():
    table = crm_import.read_table(HUBSPOT_CP932.read_bytes())
    rows = crm_import.parse_rows(table, crm_import.guess_mapping(table.headers))
    reps = [crm_match.Rep(1, "alice", "alice@example.com"), crm_match.Rep(2, "bob")]
    meetings = [
        crm_match.MeetingRef(10, 1, "ミナト工業", D(2026, 9, 10)),  # only 9001 is open then
        crm_match.MeetingRef(11, 1, "ミナト工業株式会社", D(2026, 10, 10)),  # 9001 and 9002 overlap
        crm_match.MeetingRef(12, 2, "ミナト工業", D(2026, 9, 10)),  # bob's: not alice's deal
    ]
    plan = crm_match.plan_import(rows, reps, [], meetings)
    by_id = {d.row.crm_id: d for d in plan.deals}
    assert [m.id for m in by_id["9001"].meetings] == [10] and by_id["9002"].meetings == []
    assert [(a.meeting.id, a.deal_lines) for a in plan.ambiguous] == [(11, (2, 3))]
    assert {d.row.crm_id for d in plan.without_meeting} == {"9002", "9003", "9004"}


# --- the pages ---


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "ja", "en"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "CSV ファイルではありません", "not a CSV file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel ブック", "Excel workbook"),
        (b"just one column\nvalue\n", "2 列未満", "fewer than two columns"),
        ("Deal Name,Amount\n新規,100\n".encode(), "必要な列が見つかりません", "Columns needed and not found"),
    ],
)
def test_a_bad_file_gets_a_clear_message_in_japanese_and_english_and_nothing_is_written(
    client, carol, raw, ja, en
):
    client.force_login(carol)
    for lang, expected in (("ja", ja), ("en", en)):
        response = _upload(client, raw, lang=lang, name="deals.csv")
        assert response.status_code == 400
        assert expected in response.content.decode()
    assert not Deal.objects.exists()


@pytest.mark.django_db
def test_preview_writes_nothing_and_shows_creates_links_and_what_did_not_match(
    client, make_meeting, named, carol
):
    alice, bob, _erin = named
    make_meeting(alice, title="初回訪問", customer_name="山田商事（株）", held_on=D(2026, 10, 15))
    make_meeting(bob, title="Kick-off", customer_name="ACME, Inc", held_on=D(2026, 10, 7))
    client.force_login(carol)
    response = _upload(client, SALESFORCE, lang="ja")
    page = response.content.decode()
    assert response.status_code == 200 and "Salesforce" in page
    plan = response.context["plan"]
    assert [d.row.crm_id for d in plan.created] == ["006A000001", "006A000002", "006A000003"]
    assert [m.title for m in plan.deals[0].meetings] == ["初回訪問"]
    assert [m.title for m in plan.deals[1].meetings] == ["Kick-off"]
    assert "3 件の案件を作成、0 件を更新、2 件の商談を紐付け" in page
    rejected = page.split('id="crm-rejected"')[1].split("</ul>")[0]
    assert "このチームのメンバーではありません" in rejected  # erin is in another team
    assert "金額が数値ではありません" in rejected
    assert "クラウド移行" in page.split('id="crm-no-meeting"')[1].split("</ul>")[0]
    assert not Deal.objects.exists() and not DealMeeting.objects.exists()


@pytest.mark.django_db
def test_confirm_writes_deals_and_links_and_a_second_import_updates_by_crm_id(
    client, make_meeting, named, carol
):
    alice, bob, _erin = named
    first = make_meeting(alice, title="初回訪問", customer_name="山田商事（株）", held_on=D(2026, 10, 15))
    client.force_login(carol)
    preview = _upload(client, SALESFORCE)
    response = _confirm(client, preview, carol.profile.team)
    assert response.status_code == 302
    deals = {d.crm_id: d for d in Deal.objects.all()}
    assert set(deals) == {"006A000001", "006A000002", "006A000003"}
    won = deals["006A000001"]
    assert (won.owner, won.outcome, won.stage, won.closed_on, won.team) == (
        alice,
        "won",
        "closed",
        D(2026, 11, 20),
        carol.profile.team,
    )
    assert DealMeeting.objects.get(meeting=first).deal == won
    assert deals["006A000002"].owner == bob
    # When the CRM later says the open deal was lost and the file is imported again
    changed = SALESFORCE.read_bytes().replace(
        b"Proposal/Price Quote,500000,10/12/2026,12/15/2026,Alice Sato,0,0",
        b"Closed Lost,450000,10/12/2026,12/15/2026,Alice Sato,0,1",
    )
    second = make_meeting(alice, title="再訪", customer_name="山田商事", held_on=D(2026, 11, 1))
    preview = _upload(client, changed, name="again.csv")
    assert len(preview.context["plan"].updated) == 3 and not preview.context["plan"].created
    _confirm(client, preview, carol.profile.team)
    assert Deal.objects.count() == 3  # updated, not duplicated
    lost = Deal.objects.get(crm_id="006A000003")
    assert (lost.outcome, lost.amount, lost.closed_on) == ("lost", 450000, D(2026, 12, 15))
    assert DealMeeting.objects.get(meeting=second).deal == won and DealMeeting.objects.count() == 2


@pytest.mark.django_db
def test_the_user_can_change_a_column_on_the_preview(client, named, carol):
    client.force_login(carol)
    preview = _upload(client, SALESFORCE)
    headers = preview.context["table"].headers
    # The deals are named after the account instead of the opportunity
    _confirm(client, preview, carol.profile.team, name=headers.index("Account Name"))
    assert Deal.objects.get(crm_id="006A000002").name == "Acme Inc."


@pytest.mark.django_db
def test_a_rep_cannot_import_and_a_manager_imports_only_into_their_own_team(
    client, named, carol, dave, admin_user, south
):
    alice, _bob, _erin = named
    client.force_login(alice)
    assert client.get(URL).status_code == 404
    assert _upload(client, SALESFORCE).status_code == 404
    client.force_login(carol)
    assert _upload(client, SALESFORCE, team=south).status_code == 404  # not her team
    # dave (South) imports the same file: only erin's deal is his team's
    client.force_login(dave)
    preview = _upload(client, SALESFORCE)
    assert [d.row.crm_id for d in preview.context["plan"].deals] == ["006A000004"]
    _confirm(client, preview, south)
    assert list(Deal.objects.values_list("crm_id", "owner__username", "team__name")) == [
        ("006A000004", "erin", "South")
    ]
    # an admin may import into any team
    client.force_login(admin_user)
    preview = _upload(client, SALESFORCE, team=alice.profile.team)
    assert len(preview.context["plan"].created) == 3
    assert client.get(URL, {"team": south.pk}).status_code == 200


def test_excel_unicode_text_utf16_tab_separated_and_day_first_dates_are_read():
    text = "商談 ID\t商談名\t取引先名\tフェーズ\t作成日\t完了予定日\t商談 所有者\nA1\t更新\t北海物産\t受注\t25/10/2026\t03/11/2026\talice\n"
    table = crm_import.read_table(text.encode("utf-16"))
    mapping = crm_import.guess_mapping(table.headers)
    assert (
        crm_import.missing_fields(mapping) == [] and crm_import.export_format(table.headers) == "salesforce"
    )
    (row,) = crm_import.parse_rows(table, mapping)
    assert (row.opened_on, row.closed_on, row.outcome) == (D(2026, 10, 25), D(2026, 11, 3), "won")


def test_reimport_keeps_the_deals_owner_and_leaves_meetings_in_deals_the_file_does_not_touch():
    table = crm_import.read_table(SALESFORCE.read_bytes())
    rows = crm_import.parse_rows(table, crm_import.guess_mapping(table.headers))
    reps = [crm_match.Rep(1, "alice", "", "Alice", "Sato"), crm_match.Rep(2, "bob", "", "Bob", "Suzuki")]
    existing = [crm_match.ExistingDeal(50, "006A000002", 1)]  # the CRM moved it to bob since
    meetings = [
        crm_match.MeetingRef(10, 1, "山田商事", D(2026, 10, 15), deal_id=99),  # in a hand-made deal
        crm_match.MeetingRef(11, 1, "Acme", D(2026, 10, 6)),  # alice's: the deal stays hers
    ]
    plan = crm_match.plan_import(rows, reps, existing, meetings)
    acme = next(d for d in plan.deals if d.row.crm_id == "006A000002")
    assert (acme.existing_id, acme.owner_id, acme.owner_kept) == (50, 1, True)
    assert [m.id for m in acme.meetings] == [11]
    assert [m.id for m in plan.kept_elsewhere] == [10]


@pytest.mark.django_db
def test_a_file_too_big_to_carry_through_the_preview_or_a_tampered_preview_is_refused_clearly(
    client, named, carol, settings
):
    client.force_login(carol)
    preview = _upload(client, SALESFORCE)
    tampered = {
        "blob": preview.context["blob"][:-3] + "xyz",
        "team": carol.profile.team.pk,
        "action": "confirm",
    }
    response = client.post(URL, tampered, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400 and "期限切れ" in response.content.decode()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200  # the fixture is ~700 bytes
    response = _upload(client, SALESFORCE)
    assert response.status_code == 400 and "too large to preview" in response.content.decode()
    assert not Deal.objects.exists()


@pytest.mark.django_db
def test_confirming_writes_in_bulk_whatever_the_number_of_deals(
    django_assert_max_num_queries, make_meeting, alice
):
    from deals import services

    lines = ["Opportunity ID,Opportunity Name,Account Name,Stage,Created Date,Close Date,Opportunity Owner"]
    lines += [f"X{i},Deal {i},Cust {i},Closed Won,2026-01-01,2026-02-01,alice" for i in range(600)]
    table = crm_import.read_table("\n".join(lines).encode())
    meetings = [
        crm_match.MeetingRef(
            make_meeting(alice, customer_name="Cust 7").pk, alice.pk, "Cust 7", D(2026, 1, 5)
        )
    ]
    plan = crm_match.plan_import(
        crm_import.parse_rows(table, crm_import.guess_mapping(table.headers)),
        [crm_match.Rep(alice.pk, "alice")],
        [],
        meetings,
    )
    with django_assert_max_num_queries(20):
        result = services.deals_import_from_crm(plan=plan)
    assert (result.created, result.linked, Deal.objects.count()) == (600, 1, 600)
    assert DealMeeting.objects.get().deal.crm_id == "X7"
    assert Deal.objects.get(crm_id="X7").team == alice.profile.team
