"""docs/spec.md §1.3 lexical rules, one test (or a few) per rule, asserted on parsed statements and values."""
from byzer_kernel.lang import parse
from byzer_kernel.lang.lexer import TokenKind, tokenize
from byzer_kernel.lang.positions import Locator, caret_detail
from byzer_kernel.lang.statements import (CommandStatement, LoadStatement, SaveStatement, SelectStatement,
                                          SetStatement, Value)
from parsing import only, syntax_error


# -- keywords and identifiers ---------------------------------------------------------------------
def test_keywords_are_case_insensitive():
    load = only("LOAD jsonStr.`x` WHERE a='1' AND b='2' AS T;")
    assert isinstance(load, LoadStatement)
    assert (load.format, load.table, list(load.options)) == ("jsonStr", "T", ["a", "b"])
    save = only("SaVe OverWrite t As parquet.`/p` PartitionBY a;")
    assert isinstance(save, SaveStatement)
    assert (save.modes, save.partition_by) == (["overwrite"], ["a"])


def test_identifiers_keep_their_case():
    load = only("load JsonStr.`Data` as MyTable")
    assert (load.format, load.path.text, load.table) == ("JsonStr", "Data", "MyTable")
    assert only("set MyVar = SomeName").key == "MyVar"


def test_identifier_is_ascii_letters_digits_underscore_and_may_start_with_a_digit():
    statement = only("set e=200;")
    assert statement.value == Value("name", "200", "200")
    assert only("load csv.`p` as 1abc_D").table == "1abc_D"
    error = syntax_error("load csv.`p` as t-x;")
    assert error.message == "expected ';' after the load statement, found '-'"
    assert (error.span.line, error.span.col) == (1, 18)


def test_non_ascii_names_need_backquotes():
    error = syntax_error("load csv.`p` as 表;")
    assert "unexpected character '表'" in error.message
    assert (error.span.line, error.span.col) == (1, 17)
    assert only("load csv.`p` as `表`").table == "`表`"


def test_keywords_are_reserved_unless_backquoted():
    error = syntax_error("load csv.`p` as select;")
    assert error.message == ("expected a table name after 'as', found keyword 'select' "
                             "(write `select` in backquotes to use it as a name)")
    assert only("load csv.`p` as `select`").table == "`select`"


# -- backquoted identifiers -------------------------------------------------------------------------
def test_backquotes_are_removed_and_doubled_backquotes_kept():
    load = only("load csv.`a``b` as t")
    assert load.path == Value("quoted", "a``b", "`a``b`")
    empty = only("run command as Ray.`` where code='''x''' as out")
    assert empty.path == Value("quoted", "", "``")


def test_semicolon_inside_backquotes_does_not_end_the_statement():
    load = only("load csv.`/tmp/a;b` as t;")
    assert load.path.text == "/tmp/a;b"


def test_unterminated_backquote_names_where_it_started():
    error = syntax_error("select 1 as a as t;\nload csv.`/tmp/x as t;")
    assert error.message == "unterminated backquoted name: the ` opened here is never closed"
    assert (error.span.line, error.span.col) == (2, 10)
    assert error.detail == "load csv.`/tmp/x as t;\n         ^"


# -- strings ------------------------------------------------------------------------------------
def test_double_and_single_quoted_strings():
    assert only('set a="b";').value == Value("string", "b", '"b"')
    assert only("set a='b';").value == Value("string", "b", "'b'")


def test_backslash_escapes_are_accepted_but_not_unescaped():
    value = only(r'set a="he said \"hi\"";').value
    assert value.text == r'he said \"hi\"'
    assert only(r"set a='it\'s \n';").value.text == r"it\'s \n"


def test_semicolons_and_newlines_inside_strings():
    script = parse("set a=\"x;y\nz\"; set b='c;d'")
    assert [s.value.text for s in script.statements] == ["x;y\nz", "c;d"]


def test_unterminated_string_names_where_it_started():
    error = syntax_error("set a = 'abc;\nset b = 1;")
    assert error.message == "unterminated string: the ' opened here is never closed"
    assert (error.span.line, error.span.col) == (1, 9)
    error = syntax_error('set a = 1;\n  set b = "abc;')
    assert (error.span.line, error.span.col) == (2, 11)
    assert error.detail == '  set b = "abc;\n          ^'


# -- block strings ------------------------------------------------------------------------------
def test_block_string_content_is_verbatim():
    value = only("set a='''line 1\n  'q' \"d\" \\n ; -- not a comment\n''';").value
    assert value == Value("block", "line 1\n  'q' \"d\" \\n ; -- not a comment\n",
                          "'''line 1\n  'q' \"d\" \\n ; -- not a comment\n'''")


def test_block_string_is_non_greedy():
    statement = only("set a='''x''' where b='''y''';")
    assert statement.value.text == "x"
    assert statement.options["b"].text == "y"


def test_block_string_may_start_with_a_quote():
    assert only("set a='''''x''';").value.text == "''x"
    assert only("set a=''''''';").value.text == "'"


def test_empty_block_string_is_an_error():
    error = syntax_error("set a='''''';")
    assert error.message == "empty block string '''''' is not allowed: it needs at least one character"
    assert (error.span.line, error.span.col) == (1, 7)
    assert error.detail == "set a='''''';\n      ^"


def test_block_string_starting_with_plus_is_an_error():
    error = syntax_error("set a='''+x''';")
    assert error.message == "a block string cannot start with '+' ('''+...''' is not valid Byzer)"
    assert (error.span.line, error.span.col) == (1, 7)


def test_unterminated_block_string_names_where_it_started():
    text = "set a='ok';\nrun command as Ray.`` where code='''\nprint(1)\n;\n"
    error = syntax_error(text)
    assert error.message == "unterminated block string: the ''' opened here is never closed"
    assert (error.span.line, error.span.col) == (2, 34)
    assert error.detail == "run command as Ray.`` where code='''\n" + " " * 33 + "^"
    assert str(error).startswith("SyntaxError at line 2:34: unterminated block string")


def test_triple_quote_inside_python_code_ends_the_block():
    error = syntax_error("run command as Ray.`` where code='''\nx = '''a'''\n''';")
    # the block ends at the first ''' of the code; `a` then follows the option value
    assert error.message == "expected ';' after the run statement, found 'a'"
    assert (error.span.line, error.span.col) == (2, 8)


def test_one_million_line_block_is_one_token():
    body = "\n".join('{"a":%d,"b":"x;y"}' % i for i in range(1_000_000))
    text = f"set data='''\n{body}\n''';\nload jsonStr.`data` as t;"
    script = parse(text)
    assert [type(s) for s in script.statements] == [SetStatement, LoadStatement]
    assert script.statements[0].value.text == f"\n{body}\n"
    assert (script.statements[1].span.line, script.statements[1].span.col) == (1_000_003, 1)


# -- comments -----------------------------------------------------------------------------------
def test_line_comments_run_to_the_end_of_the_line():
    script = parse("-- set a='x';\nset b='y'; -- trailing; comment\n--last")
    assert [s.key for s in script.statements] == ["b"]
    assert script.statements[0].text == "set b='y'"


def test_bracketed_comments_including_empty_and_semicolons():
    script = parse("/***/ set /* ; */ a /* multi\nline; */ = 'x' /**/;")
    statement = script.statements[0]
    assert (statement.key, statement.value.text) == ("a", "x")
    assert statement.text == "set /* ; */ a /* multi\nline; */ = 'x'"


def test_empty_comment_followed_by_a_comment_end_is_one_comment():
    # ANTLR takes the longest match: `/**/ ... */` is one BRACKETED_COMMENT, not `/**/` and code.
    script = parse("set a='1'; /**/ set b='2'; */ set c='3';")
    assert [s.key for s in script.statements] == ["a", "c"]
    assert [s.key for s in parse("/**/ set b='2';").statements] == ["b"]


def test_hint_comment_is_kept_in_select_text():
    statement = only("select /*+ BROADCAST(t) */ * from t as u;")
    assert isinstance(statement, SelectStatement)
    assert statement.text == "select /*+ BROADCAST(t) */ * from t as u"


def test_hint_is_not_a_comment_outside_select():
    error = syntax_error("set a='x' /*+ hint */;")
    assert error.message.startswith("expected ';' after the set statement, found '/'")


def test_unterminated_comment_names_where_it_started():
    error = syntax_error("set a='x';\n  /* never closed\nset b='y';")
    assert error.message == "unterminated comment: the /* opened here is never closed"
    assert (error.span.line, error.span.col) == (2, 3)


def test_comment_only_and_blank_text_give_an_empty_script():
    assert parse("").statements == []
    assert parse("  \n\t\r\n").statements == []
    assert parse("-- just a note\n/* and another */\n").statements == []


# -- `#` is not a comment -----------------------------------------------------------------------
def test_hash_is_not_a_comment():
    error = syntax_error("set a='x';\n# a note\nselect 1 as b as t;")
    assert error.message == ("'#' does not start a comment in Byzer (use -- or /* */); a statement "
                             "starts with load, save, select, set, run, train, predict, insert, create, drop, refresh, "
                             "connect, register, unregister, include or !command")
    assert (error.span.line, error.span.col) == (2, 1)
    assert error.detail == "# a note\n^"


def test_hash_is_fine_inside_select_text():
    statement = only("select a # b, '#' as c from t as u")
    assert statement.text == "select a # b, '#' as c from t as u"


# -- `!command` -----------------------------------------------------------------------------------
def test_execute_command_is_one_token():
    tokens = tokenize("!python conf")
    assert [(t.kind, t.text) for t in tokens] == [
        (TokenKind.COMMAND, "!python"), (TokenKind.IDENT, "conf"), (TokenKind.EOF, "")]
    statement = only('!python conf "k=v"')
    assert isinstance(statement, CommandStatement) and statement.name == "python"


def test_bang_with_space_is_not_a_command():
    error = syntax_error("! python conf 'x';")
    assert error.message.startswith("expected a command name right after '!'")


# -- token stream ---------------------------------------------------------------------------------
def test_token_kinds():
    text = "load x.`p` where k=\"v\" and j='''b''' as t; # é ~"
    kinds = [(t.kind, t.text) for t in tokenize(text)]
    assert kinds == [
        (TokenKind.KEYWORD, "load"), (TokenKind.IDENT, "x"), (TokenKind.PUNCT, "."),
        (TokenKind.QUOTED, "`p`"), (TokenKind.KEYWORD, "where"), (TokenKind.IDENT, "k"),
        (TokenKind.PUNCT, "="), (TokenKind.STRING, '"v"'), (TokenKind.KEYWORD, "and"), (TokenKind.IDENT, "j"),
        (TokenKind.PUNCT, "="), (TokenKind.BLOCK, "'''b'''"), (TokenKind.KEYWORD, "as"),
        (TokenKind.IDENT, "t"), (TokenKind.PUNCT, ";"), (TokenKind.OTHER, "#"), (TokenKind.OTHER, "é"),
        (TokenKind.PUNCT, "~"), (TokenKind.EOF, ""),
    ]


def test_only_space_tab_cr_lf_are_whitespace():
    error = syntax_error("set a='x'\u00a0;")
    assert "unexpected character '\\xa0'" in error.message


def test_locator_and_caret_keep_tabs():
    text = "a\n\tbc\nd"
    locator = Locator(text)
    assert locator.line_col(4) == (2, 3)
    assert locator.line_col(0) == (1, 1)
    assert locator.line_col(6) == (3, 1)
    assert caret_detail(text, 4) == "\tbc\n\t ^"
