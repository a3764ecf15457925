"""`!if`/`!elif`/`!else`/`!fi` (docs/spec.md §12.1): byzer-doc's branch_statement.md examples verbatim,
the condition language, blocks, and the errors of unbalanced blocks and non-boolean conditions."""
import pytest

from byzer_kernel.lang.errors import ByzerError, ByzerRuntimeError, ByzerSyntaxError


def output(session, script):
    return session.execute(script).table.to_pylist()


# -- byzer-doc byzer-lang/zh-cn/grammar/branch_statement.md, run verbatim ------------------------
def test_doc_basic_usage(session):
    script = '''set a = "wow,jack";
!if \'\'\' split(:a,",")[0] == "jack" \'\'\';
   select 1 as a as b;
!else;
   select 2 as a as b;
!fi;

select * from b as output;'''
    assert output(session, script) == [{"a": 2}]  # the doc says: a: 2


def test_doc_nested_blocks_and_select_assignments(session):
    script = '''set a="jack,2";

!if \'\'\' select split(:a,",")[0] as :name, split(:a,",")[1] as :num;
:name == "jack" and :num == 3
\'\'\';
    select 0 as a as b;
!elif \'\'\' select split(:a,",")[1] as :num; :num==2 \'\'\';
    !if \'\'\' 2==1 \'\'\';
       select 1.1 as a as b;
    !else;
       select 1.2 as a as b;
    !fi;
!else;
  select 2 as a as b;
!fi;


select * from b as output;'''
    result = session.execute(script)
    assert [float(row["a"]) for row in result.table.to_pylist()] == [1.2]
    assert result.messages == ["!if at 8:5: took the `!else` branch at 10:5",
                               "!if at 3:1: took the `!elif` branch at 7:1"]


def test_doc_variable_scope_of_conditions(session):
    script = '''set name = "jack";
!if \'\'\'select :name as :newname ;:name == "jack" \'\'\';
    !if \'\'\' :newname == "jack" \'\'\';
       !println \'\'\'====1\'\'\';
    !else;
       !println \'\'\'====2 \'\'\';
    !fi;
!else;
   !println \'\'\'=====3\'\'\';
!fi;'''
    assert "====1" in session.execute(script).messages


def test_doc_condition_variables_in_branch_statements(session):
    script = '''set name = "jack";
!if \'\'\'select concat(:name,"dj") as :newname ;:name == "jack" \'\'\';
    !if \'\'\' :newname == "jackdj" \'\'\';
       !println \'\'\'====${newname}\'\'\';
       select "${newname}" as a as b;
    !else;
       !println \'\'\'====2 \'\'\';
    !fi;
!else;
   !println \'\'\'=====3\'\'\';
!fi;

select * from b as output;'''
    result = session.execute(script)
    assert result.table.to_pylist() == [{"a": "jackdj"}]
    assert "====jackdj" in result.messages


@pytest.mark.parametrize("prefix, expected", [("", 2), ('set a = "jack,";\n', 1)])
def test_doc_default_param(session, prefix, expected):
    script = prefix + '''set a = "wow,jack" where type="defaultParam";
!if \'\'\' split(:a,",")[0] == "jack" \'\'\';
   select 1 as a as b;
!else;
   select 2 as a as b;
!fi;

select * from b as output;'''
    assert output(session, script) == [{"a": expected}]


def test_doc_table_of_an_untaken_branch_does_not_exist(session):
    with pytest.raises(ByzerError, match="table `b` does not exist"):
        session.execute("!if ''' 2==1 ''';\n   select 1 as a as b;\n!else;   \n!fi;\n\nselect * from b as output;")


# -- the condition language ---------------------------------------------------------------------
@pytest.mark.parametrize("condition, taken", [
    (':n == "3"', True),
    (":n > 2 and :n < 4", True),
    (":n == 1 or :n == 3", True),
    ("1 == 2 and 1 == 1 or 2 == 2", False),  # and/or group to the right, as Byzer's parser does
    ("(1 == 2 and 1 == 1) or 2 == 2", True),
    ("not :n == 3", False),
    ("not(:n == 4)", True),
    ("cast(:n as int) + 1 == 4", True),
    ("length(:s) == 5 and upper(:s) == 'HELLO'", True),
    (":missing_is_null == 1", False),  # NULL is false
    ("true", True),
    ("select :n * 2 as :d; :d == 6", True),
])
def test_conditions(session, condition, taken):
    script = (f'set n="3"; set s="hello"; select cast(null as int) as x as t; '
              f'set missing_is_null=`select x from t` where type="sql";\n'
              f"!if ''' {condition} ''';\nselect 'yes' as r as out;\n!else;\nselect 'no' as r as out;\n!fi;\n"
              "select * from out as o;")
    assert output(session, script) == [{"r": "yes" if taken else "no"}]


def test_elif_chain_takes_the_first_true_branch_and_evaluates_no_later_condition(session):
    script = '''set n = "2";
!if \'\'\' :n == 1 \'\'\';
  select "one" as r as out;
!elif \'\'\' :n == 2 \'\'\';
  select "two" as r as out;
!elif \'\'\' :undefined == 1 \'\'\';
  select "never" as r as out;
!else;
  select "other" as r as out;
!fi;
select * from out as o;'''
    result = session.execute(script)
    assert result.table.to_pylist() == [{"r": "two"}]
    assert result.messages == ["!if at 2:1: took the `!elif` branch at 4:1"]


def test_statements_of_every_kind_in_branches_and_tables_used_after_fi(session, tmp_path):
    script = f'''select 1 as id, "a" as name as src;
!if \'\'\' 1 == 1 \'\'\';
  set where_to = "{tmp_path}/out";
  save overwrite src as json.`${{where_to}}`;
  load json.`${{where_to}}` as loaded;
  !python conf "schema=st(field(id,long))";
  select id + 10 as id from loaded as made_in_branch;
!else;
  select 0 as id as made_in_branch;
!fi;
select m.id, l.name from made_in_branch m join loaded l as joined;'''
    assert output(session, script) == [{"id": 11, "name": "a"}]
    assert session.python_conf["schema"] == "st(field(id,long))"


def test_a_nested_block_inside_an_untaken_branch_is_not_evaluated(session):
    script = '''!if \'\'\' 1 == 2 \'\'\';
  !if \'\'\' :never_set == 1 \'\'\';
    select 1 as a as t;
  !fi;
!else;
  select 2 as a as t;
!fi;'''
    result = session.execute(script)
    assert result.table is None  # the last statement is !fi, which leaves no table, as in Byzer
    assert session.table("t").to_pylist() == [{"a": 2}]
    assert result.messages == ["!if at 1:1: took the `!else` branch at 5:1"]


def test_no_branch_taken_is_said(session):
    assert session.execute("!if ''' 1 == 2 ''';\nselect 1 as a as t;\n!fi;").messages == ["!if at 1:1: took no branch"]


def test_then_is_accepted(session):
    assert output(session, "!if ''' 1 == 1 ''';\n!then;\nselect 1 as a as t;\n!fi;\nselect * from t as o;") == [{"a": 1}]


# -- bad input ----------------------------------------------------------------------------------
def test_an_unclosed_if_is_found_before_anything_runs(session):
    with pytest.raises(ByzerSyntaxError) as info:
        session.execute("select 1 as a as before;\n!if ''' 1 == 1 ''';\nselect 2 as a as t;")
    assert str(info.value).startswith("SyntaxError at line 2:1 in `!if ''' 1 == 1 '''`: !if at 2:1 is never closed")
    assert "before" not in session.catalog


@pytest.mark.parametrize("script, line, message", [
    ("select 1 as a as t;\n!fi;", 2, "!fi at 2:1 has no !if before it"),
    ("select 1 as a as t;\n\n!else;", 3, "!else at 3:1 has no !if before it"),
    ("!if ''' 1 == 1 ''';\n!else;\n!elif ''' 1 == 1 ''';\n!fi;", 3,
     "!elif at 3:1 comes after the !else at 2:1 of the !if at 1:1"),
])
def test_unbalanced_blocks(session, script, line, message):
    with pytest.raises(ByzerSyntaxError) as info:
        session.execute(script)
    assert info.value.span.line == line and message in info.value.message
    assert "t" not in session.catalog


def test_a_condition_that_is_not_boolean(session):
    with pytest.raises(ByzerRuntimeError) as info:
        session.execute('select 1 as a as kept;\nset s = "abc";\n!if \'\'\' :s \'\'\';\n!fi;')
    assert str(info.value).startswith("Error at line 3:1 in `!if \'\'\' :s \'\'\'`: the condition is not "
                                      "boolean: `:s` gives 'abc' (str)")
    assert "kept" in session.catalog


@pytest.mark.parametrize("condition, message", [
    (":nope == 1", "the condition uses :nope, which is not set"),
    ("1 = 1", "'=' is not a comparison in a condition: write '=='"),
    ("1 == 1 &&", "unexpected character '&'"),
    ("1 + 1", "the condition is not boolean"),
    ("select 1 as :x", "ends with a `select ... as :v` assignment"),
    ("nosuchfunction(1) == 1", "in the condition"),
])
def test_bad_conditions_name_the_if(session, condition, message):
    with pytest.raises(ByzerError) as info:
        session.execute(f"select 1 as a as t;\n!if ''' {condition} ''';\n!fi;")
    assert info.value.span.line == 2 and message in str(info.value)
