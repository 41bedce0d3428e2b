"""`flask customers import`: upsert by account number, rejects with line numbers, modes."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from app.customers.csvsource import SourceRow
from app.customers.importer import import_customers
from app.customers.models import Customer, CustomerPhone
from app.extensions import db

GOOD = (
    "Asha Rao,(415) 555-0100;+44 20 7946 0958,ACC-1,hi,vip,Prefers mornings",
    "Rahim Uddin,+880 1712-345678,ACC-2,bn,,",
    "Siti Aminah,+60 12-345 6789,ACC-3,MS,standard,",
)


def test_happy_path_creates_customers_with_normalised_phones(csv_file, run_import, stored):
    result = run_import(csv_file(*GOOD))
    assert result.exit_code == 0, result.output
    assert "3 rows: 3 created, 0 updated, 0 unchanged, 0 rejected" in result.output
    customers = stored()
    assert customers["ACC-1"]["name"] == "Asha Rao"
    assert customers["ACC-1"]["phones"] == ["+14155550100", "+442079460958"]
    assert customers["ACC-1"]["language"] == "hi"
    assert customers["ACC-1"]["tier"] == "vip"
    assert customers["ACC-1"]["notes"] == "Prefers mornings"
    assert customers["ACC-1"]["sources"] == ["import", "import"]
    assert customers["ACC-2"]["phones"] == ["+8801712345678"]
    assert customers["ACC-2"]["tier"] == "standard"
    assert customers["ACC-3"]["language"] == "ms"


def test_optional_columns_may_be_absent(csv_file, run_import, stored):
    path = csv_file("Asha Rao,+14155550100,ACC-1,en",
                    header="Name,Phone,Account Number,Language")
    result = run_import(path)
    assert result.exit_code == 0, result.output
    assert stored()["ACC-1"]["tier"] == "standard"


def test_reimporting_the_same_file_changes_nothing(csv_file, run_import, stored):
    path = csv_file(*GOOD)
    with freeze_time("2026-01-01 09:00:00"):
        run_import(path)
    before = stored()
    with freeze_time("2026-02-01 09:00:00"):
        result = run_import(path)
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 3 unchanged, 0 rejected" in result.output
    assert stored() == before  # not even updated_at moved


def test_changed_fields_and_new_phones_update_the_customer(csv_file, run_import, stored):
    run_import(csv_file(*GOOD))
    first_id = stored()["ACC-1"]["id"]
    path = csv_file(
        "Asha R. Rao,(415) 555-0100;+44 20 7946 0958,ACC-1,en,standard,",
        "Rahim Uddin,+880 1712-345678;+14155550177,ACC-2,bn,,",
        GOOD[2],
        "New Person,+14155550188,ACC-4,en,,",
        name="second.csv",
    )
    result = run_import(path)
    assert "1 created, 2 updated, 1 unchanged, 0 rejected" in result.output
    customers = stored()
    assert customers["ACC-1"]["id"] == first_id
    assert customers["ACC-1"]["name"] == "Asha R. Rao"
    assert customers["ACC-1"]["language"] == "en"
    assert customers["ACC-1"]["tier"] == "standard"
    assert customers["ACC-1"]["notes"] == "Prefers mornings"  # an empty cell keeps notes
    assert customers["ACC-2"]["phones"] == ["+8801712345678", "+14155550177"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Bad Number,0123,ACC-9,en,,", "'0123' is not a valid phone number."),
        ("No Number,,ACC-9,en,,", "The phone number is missing."),
        ("One Bad,+14155550150;12,ACC-9,en,,", "'12' is not a valid phone number."),
        ("Frenchie,+14155550150,ACC-9,fr,,", "Unknown language 'fr'"),
        (",+14155550150,ACC-9,en,,", "A customer needs a name."),
        ("No Account,+14155550150,,en,,", "The account number is missing."),
        ("Gold,+14155550150,ACC-9,en,gold,", "Unknown tier 'gold'"),
        ("Short,+14155550150,ACC-9", "The row has 3 fields, the header has 6."),
    ],
)
def test_each_bad_row_is_rejected_with_its_line_and_reason(csv_file, run_import, stored,
                                                           line, reason):
    result = run_import(csv_file(GOOD[0], line, GOOD[1]))
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged, 1 rejected" in result.output
    rejected = [out for out in result.output.splitlines() if "rejected:" in out]
    assert len(rejected) == 1
    assert rejected[0].startswith("line 3")
    assert reason in rejected[0]
    assert set(stored()) == {"ACC-1", "ACC-2"}


def test_duplicate_account_number_in_the_file_names_the_first_line(csv_file, run_import, stored):
    result = run_import(csv_file(GOOD[0], GOOD[1], "Impostor,+14155550150,ACC-1,en,,"))
    assert "line 4 (account ACC-1): rejected: Account number ACC-1 is already on line 2" \
        in result.output
    assert stored()["ACC-1"]["name"] == "Asha Rao"


def test_a_phone_claimed_twice_in_the_file_is_rejected_the_second_time(csv_file, run_import,
                                                                      stored):
    result = run_import(csv_file(GOOD[0], "Someone Else,+1 415 555 0100,ACC-5,en,,"))
    assert "line 3 (account ACC-5): rejected: Phone +14155550100 is already on line 2" \
        in result.output
    assert "ACC-5" not in stored()


def test_a_phone_of_another_customer_in_the_database_is_rejected(app, csv_file, run_import,
                                                                 stored):
    with app.app_context():
        caller = Customer(name="Earlier Caller")
        caller.phones.append(CustomerPhone(number="+14155550150", source="ivr"))
        db.session.add(caller)
        db.session.commit()
    run_import(csv_file(GOOD[0]))
    result = run_import(csv_file(
        "Asha Rao,+14155550100;+14155550150,ACC-1,hi,vip,",
        "Other,+44 20 7946 0958,ACC-7,en,,",
        name="second.csv",
    ))
    lines = [out for out in result.output.splitlines() if "rejected:" in out]
    assert lines[0].startswith("line 2 (account ACC-1)")
    assert "+14155550150 already belongs to another customer (customer #" in lines[0]
    assert lines[1].startswith("line 3 (account ACC-7)")
    assert "+442079460958 already belongs to another customer (account ACC-1)" in lines[1]
    # All or nothing per row: Asha did not get the first of her two numbers either.
    assert stored()["ACC-1"]["phones"] == ["+14155550100", "+442079460958"]


def test_a_row_with_several_problems_lists_them_all(csv_file, run_import):
    result = run_import(csv_file(",nope,,xx,,"))
    line = next(out for out in result.output.splitlines() if "rejected:" in out)
    assert line.startswith("line 2:")
    for reason in ("needs a name", "account number is missing", "'nope' is not a valid",
                   "Unknown language 'xx'"):
        assert reason in line


def test_line_numbers_count_multi_line_cells(csv_file, run_import):
    path = csv_file(
        'Asha Rao,+14155550100,ACC-1,hi,vip,"first line',
        'second line"',
        "Bad,0123,ACC-2,en,,",
    )
    result = run_import(path)
    assert "line 4 (account ACC-2): rejected" in result.output


def test_strict_writes_nothing_when_a_row_is_rejected(csv_file, run_import, stored):
    result = run_import(csv_file(*GOOD, "Bad,0123,ACC-9,en,,"), "--strict")
    assert result.exit_code != 0
    assert "line 5 (account ACC-9): rejected" in result.output
    assert "nothing written" in result.output
    assert stored() == {}


def test_strict_imports_a_clean_file(csv_file, run_import, stored):
    result = run_import(csv_file(*GOOD), "--strict")
    assert result.exit_code == 0, result.output
    assert len(stored()) == 3


def test_dry_run_reports_without_writing(csv_file, run_import, stored):
    result = run_import(csv_file(*GOOD, "Bad,0123,ACC-9,en,,"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged, 1 rejected (dry run: nothing written)" \
        in result.output
    assert "line 5 (account ACC-9): rejected" in result.output
    assert stored() == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,phone,language\nAsha,+14155550100,en\n", "lacks the column(s) account_number"),
        ("", "The file is empty"),
        ('name,phone,account_number,language\nAsha,"+1415,ACC-1,en\n', "not valid CSV"),
        ("name,phone,account_number,language,name\n", "names a column twice: name"),
    ],
)
def test_a_malformed_file_is_refused_whole(tmp_path, run_import, stored, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = run_import(path)
    assert result.exit_code != 0
    assert message in result.output
    assert "Nothing was imported" in result.output
    assert stored() == {}


def test_a_file_broken_half_way_is_refused_before_anything_is_written(tmp_path, run_import,
                                                                     stored):
    path = tmp_path / "half.csv"
    path.write_text("name,phone,account_number,language\n" + "Asha,+14155550100,ACC-1,en\n"
                    + 'Broken,"+1415"x,ACC-2,en\n', encoding="utf-8")
    result = run_import(path)
    assert result.exit_code != 0
    assert "line 3" in result.output
    assert stored() == {}


def test_a_file_that_is_not_utf8_is_refused(tmp_path, run_import, stored):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,phone,account_number,language\nJosé,+14155550100,A1,en\n"
                     .encode("latin-1"))
    result = run_import(path)
    assert result.exit_code != 0
    assert "not UTF-8" in result.output


def test_service_takes_plain_mappings_in_small_chunks(app, stored):
    rows = [
        {"name": f"Customer {i}", "phone": f"+1415555{i:04d}", "account_number": f"A{i}",
         "language": "en"}
        for i in range(100, 125)
    ]
    rows.append({"name": "Dup", "phone": "+14155550100", "account_number": "A100",
                 "language": "en"})
    with app.app_context():
        report = import_customers(iter(rows), "US", chunk_size=7)
    assert (report.created, report.rejected) == (25, 1)
    assert report.rejects[0].line == 27  # as if under a header line
    assert "already on line 2" in report.rejects[0].reason
    assert len(stored()) == 25


def test_service_strict_with_a_late_reject_rolls_back_earlier_chunks(app, stored):
    rows = [SourceRow(i, {"name": "C", "phone": f"+1415555{i:04d}", "account_number": f"A{i}",
                          "language": "en"}) for i in range(2, 30)]
    rows.append(SourceRow(30, {"name": "C", "phone": "bad", "account_number": "A30",
                               "language": "en"}))
    with app.app_context():
        report = import_customers(rows, "US", strict=True, chunk_size=5)
    assert report.written is False
    assert report.rejected == 1
    assert stored() == {}


def test_region_option_reads_national_numbers(csv_file, run_import, stored):
    result = run_import(csv_file("Ana,020 7946 0958,ACC-1,en,,"), "--region", "gb")
    assert result.exit_code == 0, result.output
    assert stored()["ACC-1"]["phones"] == ["+442079460958"]
    result = run_import(csv_file("Ana,020 7946 0958,ACC-1,en,,"), "--region", "XX")
    assert result.exit_code != 0
    assert "--region" in result.output


def test_lookups_split_into_batches_see_every_row(app, monkeypatch, stored):
    from app.customers import importer

    monkeypatch.setattr(importer, "LOOKUP_BATCH", 3)
    rows = [{"name": f"C{i}", "phone": f"+1415555{i:04d};+1415556{i:04d}",
             "account_number": f"A{i}", "language": "en"} for i in range(10)]
    with app.app_context():
        assert import_customers(rows, "US").created == 10
        again = import_customers(rows, "US")
    assert (again.unchanged, again.created, again.rejected) == (10, 0, 0)
    assert len(stored()) == 10
