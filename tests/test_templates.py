"""Velocity 1.7 rendering (docs/spec.md §2.4). Expected outputs were checked against Apache Velocity 1.7 itself."""
import re
from datetime import datetime, timedelta

import pytest

from byzer_kernel.lang.errors import TemplateError
from byzer_kernel.lang.java_values import java_str
from byzer_kernel.lang.templates import render
from byzer_kernel.lang.templates_builtins import ByzerDate, date_builtins, joda_format, template_builtin


class _Template:
    def get(self, *args):
        return "TPL:" + ",".join(args)


def ctx():
    return {"a": "va", "s": "str", "n": 3, "lst": ["x", "y"], "template": _Template()}


@pytest.mark.parametrize("text, expected", [
    # references
    ("${a}", "va"), ("$a", "va"), ("$a$a", "vava"), ("${a}bc", "vabc"), ('{"x": "$a"}', '{"x": "va"}'),
    ("${b}", "${b}"), ("$b", "$b"), ("$!b", ""), ("$!{b}", ""), ("$!a", "va"),
    ("$5", "$5"), ("cost $ 5", "cost $ 5"), ("${", "${"), ("x${", "x${"), ("$ {a}", "$ {a}"), ("$$a", "$va"),
    ("$a.b", "$a.b"), ("${a.b}", "${a.b}"), ("$a.b.c", "$a.b.c"), ("email@$a.com", "email@$a.com"),
    ("$a.", "va."), ("$a()", "va()"), ("$a-b", "$a-b"), ("#${a}", "#va"), ("${a}[0]", "va[0]"),
    # Java String methods on values
    ("${a.toUpperCase()}", "VA"), ("$s.length()", "3"), ("$s.substring(1)", "tr"),
    ('$s.replace("t","T")', "sTr"), ('$a.equals("va") $a.contains("v") $a.indexOf("a")', "true true 1"),
    ("$a.empty", "false"), ("$lst", "[x, y]"), ("$lst[0]", "x"), ("$lst.size()", "2"),
    # escapes
    (r"\$a", "$a"), (r"\${a}", "${a}"), (r"\$undefined", r"\$undefined"), (r"\\$a", r"\va"),
    (r"\\\$a", r"\$a"), (r"\\$undefined", r"\\$undefined"), (r"\#if", "#if"), (r"\\#if($a)x#end", r"\x"),
    # comments and raw text
    ("x = 1 ## c\ny = 2", "x = 1 y = 2"), ("a ## c", "a "), ("##", ""), ("a ### b\nc", "a c"),
    ("a #* c *# b", "a  b"), ("a #* b\nc *# d", "a  d"), ("#* unterminated", ""), (r"\##c" "\nx", r"\x"),
    ("#[[ raw $a #if ]]#", " raw $a #if "),
    # harmless '#'
    ("# comment", "# comment"), ("#set x", "#set x"), ('"#foo"', '"#foo"'), ("#foo()", "#foo()"),
    ("a#b", "a#b"), ("select '#' as c", "select '#' as c"), ("50% # of", "50% # of"),
])
def test_velocity_text_rules(text, expected):
    assert render(text, ctx()) == expected


@pytest.mark.parametrize("text, expected", [
    ("#set($x=5)$x", "5"), ("#set( $x = 1 )$x", "1"), ("#{set}($x=1)$x", "1"),
    ("#set($x = 1)#set($x = $x + 1)$x", "2"), ("#set($b = $undefined)$b", "$b"),
    ('#set($x = "h $a")$x #set($y = \'h $a\')$y', "h vah $a"), ("#set($q = 'x''y')$q", "x'y"),
    ('#set($x = "#if(true)in#end")$x', "in"), ('#set($h = "#")$h', "#"),
    ('#set($l = ["a", 1, 2.5, true])$l $l.size() $l.get(0) $l[1]', "[a, 1, 2.5, true] 4 a 1"),
    ('#set($m = {"k": "v", "n": 2})$m $m.k $m.get("n")', "{k=v, n=2} v 2"),
    ("#set($x = 7 / 2)$x #set($y = 7.0 / 2)$y #set($z = 1/0)$z #set($w = 10 % 3)$w", "33.5$z1"),
    ("#set($z = -7 / 2)$z #set($w = -7 % 3)$w", "-3-1"),
    ("#set($x = 10 - 3 * 2)$x #set($y = (10 - 3) * 2)$y", "414"),
    ('#set($x = "a" + 1)$x #set($y = $n + 1.5)$y', "a14.5"), ("#set($d = 1.0)$d", "1.0"),
    ("#if($n > 2)big#elseif($n>1)mid#else small#end", "big"),
    ("#if($n > 5)big#elseif($n>1)mid#else small#end", "mid"),
    ('#if($n == 3 && $a == "va")yes#end #if($n eq 3 and not $b)no#end', "yes no"),
    ("#if($undefinedthing)T#else F#end", " F"), ('#if("")T#else F#end', " F"), ("#if(0)T#else F#end", " F"),
    ('#set($e = "")#if($e)T#else F#end', "T"), ('#if(1 == 1.0)eq#end #if("1" == 1)seq#end', "eq seq"),
    ('#if($n < "5")lt#else nlt#end', " nlt"), ("#{if}(true)ok#{else}no#{end}", "ok"),
    ("#foreach($i in [1,2,3])$i,#end", "1,2,3,"), ("#foreach($i in [1..3])$i#end", "123"),
    ("#set($x = [3..1])$x", "[3, 2, 1]"),
    ("#foreach($i in [1..3])$velocityCount,$foreach.count,$foreach.hasNext;#end",
     "1,1,true;2,2,true;3,3,false;"),
    ('#set($i = "keep")#foreach($i in [1..2])$i#end$i', "12keep"),
    ("#foreach($i in [1..3])$i#if($i == 2)#break#end#end", "12"), ("#foreach($c in \"abc\")$c#end", ""),
    ('#set($m = {"k":"v"})#foreach($e in $m.entrySet())$e.key=$e.value#end', "k=v"),
    ('#set($x = "a,b,c")#foreach($p in $x.split(","))[$p]#end', "[a][b][c]"),
    ("#macro(m $p)<$p>#end#m('q')", "<q>"), ('#macro(hi $p $q)[$p|$q]#end#hi("1" 2) #hi("only")', "[1|2] [only|$q]"),
    ('#macro(inc)#set($g = "set-in-macro")#end#inc()$g', "set-in-macro"),
    ("#define($blk)B$a#end$blk", "Bva"), ("#evaluate('$a')", "va"), ("a#stop b", "a"),
    # whitespace that Velocity swallows around directives
    ("line1\n#set($x = 1)\nline2", "line1\nline2"), ("  #set($x = 1)\nz", "z"), ("a\n  #set($x=1)\nb", "a\n  b"),
    ("$a  #set($x=1)z", "vaz"), ("x #set($y=1) y", "x  y"), ("#if(true)\nx\n#else\ny\n#end\nz", "x\nz"),
    ("  #foreach($i in [1..2])\n  $i\n  #end\nz", "    1\n    2\n  z"), ("#foreach($i in [1..2])x#end   y", "xx   y"),
])
def test_velocity_directives(text, expected):
    assert render(text, ctx()) == expected


@pytest.mark.parametrize("text, message", [
    ("#end", "#end without a matching"), ("a\n  #else", "#else without a matching #if"),
    ("#elseif(true)", "#elseif without"), ('print("#if")', "#if must be followed by '('"),
    ("#if(true)x", "missing #end"), ("#if", "#if must be followed"), (r"\#if($a)x#end", "#end without"),
    ("${a", "not closed"), ("#[[ unterminated", "raw block"), ("50% #", "lone '#'"), ("a $", "lone '$'"),
    ("#foreach", "#foreach must be followed"), ("#include('x')", "not supported"),
])
def test_velocity_parse_errors(text, message):
    with pytest.raises(TemplateError) as caught:
        render(text, ctx())
    assert message in caught.value.message
    assert re.search(r"line \d+, column \d+", caught.value.message)


def test_error_position_counts_lines():
    with pytest.raises(TemplateError, match="line 3, column 3"):
        render("a\nb\nc #end", {})


def test_context_is_not_changed_by_set_directive():
    context = {"a": "va"}
    assert render("#set($a = 'z')$a", context) == "z"
    assert context == {"a": "va"}


def test_methods_of_context_objects():
    assert render('${template.get("tplVar","a")}', ctx()) == "TPL:tplVar,a"
    assert render('$template.get("x", "y")', ctx()) == "TPL:x,y"


def test_failing_method_fails_the_render():
    class Broken:
        def boom(self):
            raise ValueError("bad input")

    with pytest.raises(TemplateError, match="boom.*bad input"):
        render("$b.boom()", {"b": Broken()})


def test_fast_path_returns_the_same_object_for_plain_text():
    text = '{"Busn_A":114,"Busn_B":57}\n' * 100_000
    assert render(text, {"a": "x"}) is text


def test_large_text_with_references():
    line = '{"a": "$a", "b": "#c"}\n'
    out = render(line * 20_000, {"a": "x"})
    assert out == '{"a": "x", "b": "#c"}\n' * 20_000


@pytest.mark.parametrize("value, text", [
    (True, "true"), (False, "false"), (1.0, "1.0"), (3.5, "3.5"), (1e7, "1.0E7"), (1.234e-5, "1.234E-5"),
    (12345678.9, "1.23456789E7"), (0.001, "0.001"), (-2.0, "-2.0"), (7, "7"), ([1, "a"], "[1, a]"),
    ({"k": 1}, "{k=1}"), (None, "null"), (float("nan"), "NaN"),
])
def test_java_str(value, text):
    assert java_str(value) == text


# -- Byzer built-ins -----------------------------------------------------------------------------
MOMENT = datetime(2024, 3, 5, 7, 8, 9, 123456)


@pytest.mark.parametrize("pattern, text", [
    ("yyyyMMdd", "20240305"), ("yyyy-MM-dd HH:mm:ss.SSS", "2024-03-05 07:08:09.123"), ("yy/M/d", "24/3/5"),
    ("MMM MMMM EEE EEEE", "Mar March Tue Tuesday"), ("hh a", "07 AM"), ("'day' dd, 'o''clock'", "day 05, o'clock"),
    ("D", "65"),
])
def test_joda_patterns(pattern, text):
    assert joda_format(MOMENT, pattern) == text


def test_joda_unknown_letter_is_an_error():
    with pytest.raises(ValueError, match="Illegal pattern component: q"):
        joda_format(MOMENT, "q")


def test_date_arithmetic_returns_dates():
    date = ByzerDate(MOMENT)
    assert date.plusDays(1).toString("yyyy-MM-dd") == "2024-03-06"
    assert date.minusDays(5).toString("yyyy-MM-dd") == "2024-02-29"
    assert date.minusDays(1).minusDays(1).toString("dd") == "03"
    assert ByzerDate(datetime(2024, 1, 31)).plusMonths(1).toString("yyyy-MM-dd") == "2024-02-29"
    assert re.fullmatch(r"2024-03-05T07:08:09\.123[+-]\d\d:\d\d", date.toString())


def test_date_builtins_in_templates():
    context = date_builtins(MOMENT)
    assert render('${date.toString("yyyyMMdd")}', context) == "20240305"
    assert render('$date.plusDays(1).toString("yyyyMMdd")', context) == "20240306"
    assert render('${date.minusDays(2).toString("yyyy-MM-dd")}', context) == "2024-03-03"
    assert render("$today $yesterday $tomorrow $theDayBeforeYesterday", context) == \
        "2024-03-05 2024-03-04 2024-03-06 2024-03-03"


def test_date_builtins_default_to_now():
    context = date_builtins()
    today = datetime.now()
    assert context["today"] in {today.strftime("%Y-%m-%d"), (today - timedelta(seconds=5)).strftime("%Y-%m-%d")}
    assert render('${date.toString("yyyy")}', context) == str(context["date"].moment.year)


def test_template_builtin_fills_placeholders():
    variables = {"tplVar": "select {0} from {1} where {0} > {2}"}
    context = {"template": template_builtin(variables)}
    assert render('${template.get("tplVar", "a", "t")}', context) == "select a from t where a > "
    assert render('${template.get("nothing", "a")}', context) == '${template.get("nothing", "a")}'
