"""`load/save excel` (docs/spec.md §3.5) with spark-excel's options, on a workbook the test makes:
several sheets, a merged title row over the header, dates, blank rows and a table placed mid-sheet."""
import datetime

import pyarrow as pa
import pytest

from byzer_kernel.lang.errors import ByzerError, UsageError


@pytest.fixture
def workbook(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sales = book.active
    sales.title = "Sales"
    sales["A1"] = "Sales report 2024"
    sales.merge_cells("A1:D1")  # a merged title row above the real header
    sales.append(["name", "qty", "price", "day"])
    sales.append(["apple", 3, 1.5, datetime.datetime(2024, 1, 15)])
    sales.append(["pear", None, 2.25, datetime.datetime(2024, 2, 1, 10, 30)])
    sales.append([])  # a blank row is skipped
    sales.append(["fig", 7, 0.5, datetime.datetime(2024, 3, 9)])
    other = book.create_sheet("Sheet2")
    other["A1"] = "ignored"
    other.merge_cells("A19:C19")
    other["A19"] = "Q1 figures"
    other.append([])
    other["A20"], other["B20"], other["C20"], other["D20"] = "id", "region", "amount", "note"
    for i in range(21, 40):
        other.cell(row=i, column=1, value=i - 20)
        other.cell(row=i, column=2, value=f"r{i % 3}")
        other.cell(row=i, column=3, value=(i - 20) * 10)
        other.cell(row=i, column=4, value="" if i % 2 else "x")
    book.create_sheet("My Sheet")["B3"] = "only"
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path


def test_header_row_under_a_merged_title_with_inferred_types(session, workbook):
    table = session.execute("""load excel.`book.xlsx` where header="true" and inferSchema="true"
        and dataAddress="'Sales'!A2" as sales;""").table
    assert table.column_names == ["name", "qty", "price", "day"]
    assert table.schema.field("qty").type == pa.float64()
    assert table.schema.field("day").type == pa.timestamp("us")
    assert table.to_pylist() == [
        {"name": "apple", "qty": 3.0, "price": 1.5, "day": datetime.datetime(2024, 1, 15)},
        {"name": "pear", "qty": None, "price": 2.25, "day": datetime.datetime(2024, 2, 1, 10, 30)},
        {"name": "fig", "qty": 7.0, "price": 0.5, "day": datetime.datetime(2024, 3, 9)},
    ]
    # The registered table is queryable as any other.
    assert session.execute("select sum(qty) as q from sales as out;").table.to_pylist() == [{"q": 10.0}]


def test_without_inference_every_column_is_a_string(session, workbook):
    table = session.execute("load excel.`book.xlsx` where dataAddress=\"'Sales'!A2\" as s;").table
    assert all(field.type == pa.string() for field in table.schema)
    assert table.column("qty").to_pylist() == ["3", None, "7"]
    assert table.column("day").to_pylist() == ["2024-01-15 00:00:00", "2024-02-01 10:30:00", "2024-03-09 00:00:00"]
    formatted = session.execute("""load excel.`book.xlsx` where dataAddress="'Sales'!A2"
        and timestampFormat="dd/MM/yyyy" as s;""").table
    assert formatted.column("day").to_pylist() == ["15/01/2024", "01/02/2024", "09/03/2024"]


def test_data_address_range_on_a_second_sheet(session, workbook):
    table = session.execute("""load excel.`book.xlsx` where header="true" and inferSchema="true"
        and dataAddress="'Sheet2'!A20:C24" as t;""").table
    assert table.column_names == ["id", "region", "amount"]
    assert table.column("id").to_pylist() == [1.0, 2.0, 3.0, 4.0]
    assert table.column("amount").to_pylist() == [10.0, 20.0, 30.0, 40.0]
    # B..C only, no header: Spark's _c names.
    plain = session.execute("""load excel.`book.xlsx` where header="false"
        and dataAddress="Sheet2!B21:C22" as t;""").table
    assert plain.to_pylist() == [{"_c0": "r0", "_c1": "10"}, {"_c0": "r1", "_c1": "20"}]
    # A quoted sheet name with a space.
    assert session.execute("load excel.`book.xlsx` where dataAddress=\"'My Sheet'!B3\" as t;").table \
        .column_names == ["only"]


def test_treat_empty_values_as_nulls(session, workbook):
    query = """load excel.`book.xlsx` where dataAddress="'Sheet2'!A20:D23" {} as t;"""
    assert session.execute(query.format("")).table.column("note").to_pylist() == [None, "x", None]
    kept = session.execute(query.format('and treatEmptyValuesAsNulls="false"')).table
    assert kept.column("note").to_pylist() == ["", "x", ""]


def test_save_and_load_round_trip_with_modes(session, workbook):
    session.execute("""load excel.`book.xlsx` where inferSchema="true" and dataAddress="'Sales'!A2" as sales;""")
    result = session.execute("save overwrite sales as excel.`out/out.xlsx`;").table
    assert result.column("status").to_pylist() == ["written"] and result.column("rows").to_pylist() == [3]
    back = session.execute("load excel.`out/out.xlsx` where inferSchema=\"true\" as back;").table
    assert back.to_pylist() == session.table("sales").to_pylist()
    with pytest.raises(ByzerError, match="already exists"):
        session.execute("save sales as excel.`out/out.xlsx`;")
    assert session.execute("save ignore sales as excel.`out/out.xlsx`;").table \
        .column("status").to_pylist() == ["skipped: path exists"]
    # append writes another sheet into the same workbook, at the given cell.
    session.execute("""save append sales as excel.`out/out.xlsx` where dataAddress="'Copy'!B2";""")
    copy = session.execute("""load excel.`out/out.xlsx` where dataAddress="'Copy'!B2" and inferSchema="true" as c;""")
    assert copy.table.to_pylist() == session.table("sales").to_pylist()
    assert session.execute("load excel.`out/out.xlsx` as first;").table.num_rows == 3


def test_missing_sheet_and_bad_address_are_one_error_each(session, workbook):
    session.execute("select 1 as a as kept;")
    with pytest.raises(UsageError, match=r"no sheet named 'Nope' in book.xlsx \(sheets: Sales, Sheet2, My Sheet\)") \
            as caught:
        session.execute("load excel.`book.xlsx` where dataAddress=\"'Nope'!A1\" as t;")
    assert "line 1:1" in str(caught.value)
    with pytest.raises(UsageError, match="bad dataAddress \"A0:ZZ\""):
        session.execute("load excel.`book.xlsx` where dataAddress=\"A0:ZZ\" as t;")
    with pytest.raises(UsageError, match="`header` must be"):
        session.execute("load excel.`book.xlsx` where header=\"yes\" as t;")
    assert session.table("kept").to_pylist() == [{"a": 1}]
