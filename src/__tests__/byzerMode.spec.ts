import { describe, expect, it } from 'vitest';
import { classOf, tokens } from './highlight';

const SEED = `set jsonStr='''
{"Busn_A":114,"Busn_B":57},
{"Busn_A":55,"Busn_B":134}
''';
load jsonStr.\`jsonStr\` as data;
!python conf "schema=st(field(ProductName,string),field(SubProduct,string))";
!python conf "dataMode=data";
run command as Ray.\`\` where inputTable="data" and outputTable="python_output_table" and code='''
from pyjava.api.mlsql import PythonContext,RayContext
ray_context = RayContext.connect(globals(),"127.0.0.1:10001")
def echo(row):
    return {"ProductName": str(row['Busn_A'])+'_jackm', "SubProduct": str(row['Busn_B'])+'_product'}
ray_context.foreach(echo)
''';`;

describe('keywords', () => {
  it('highlights statement keywords in any case', () => {
    for (const word of ['load', 'LOAD', 'Load', 'save', 'SELECT', 'run', 'Train', 'predict', 'set']) {
      expect(classOf(`${word} x`, word)).toBe('tok-keyword');
    }
  });

  it('highlights clause keywords', () => {
    const source =
      'save overwrite t as parquet.`/tmp/a` where fileNum="2" and mode="x" partitionBy col;';
    for (const word of ['save', 'overwrite', 'as', 'where', 'and', 'partitionBy']) {
      expect(classOf(source, word)).toBe('tok-keyword');
    }
    for (const word of ['append', 'ignore', 'errorIfExists']) {
      expect(classOf(`save ${word} t as csv.\`/x\`;`, word)).toBe('tok-keyword');
    }
    for (const word of ['options', 'into', 'command', 'connect', 'include', 'register', 'insert', 'create', 'drop', 'refresh']) {
      expect(classOf(`${word} x`, word)).toBe('tok-keyword');
    }
  });

  it('does not treat keyword-like parts of identifiers as keywords', () => {
    expect(classOf('select loader from t as t2;', 'loader')).toBe('tok-variableName');
  });
});

describe('strings', () => {
  it('highlights single- and double-quoted strings with backslash escapes', () => {
    expect(classOf(`set a='it\\'s';`, `'it\\'s'`)).toBe('tok-string');
    expect(classOf('set a="say \\"hi\\"";', '"say \\"hi\\""')).toBe('tok-string');
  });

  it('keeps a string open across lines', () => {
    const found = tokens("set a='line one\nline two';");
    expect(found).toContainEqual({ text: "'line one", classes: 'tok-string' });
    expect(found).toContainEqual({ text: "line two'", classes: 'tok-string' });
  });

  it('highlights block strings over several lines', () => {
    const found = tokens(SEED);
    expect(found).toContainEqual({ text: '{"Busn_A":114,"Busn_B":57},', classes: 'tok-string' });
    expect(found).toContainEqual({ text: "'''", classes: 'tok-string' });
  });

  it('marks template references inside strings', () => {
    const found = tokens('select "${name}" as a, \'x $who y\' as b from t as t2;');
    expect(found).toContainEqual({ text: '${name}', classes: 'tok-variableName2' });
    expect(found).toContainEqual({ text: '$who', classes: 'tok-variableName2' });
    expect(found).toContainEqual({ text: '"', classes: 'tok-string' });
    expect(found).toContainEqual({ text: " y'", classes: 'tok-string' });
  });
});

describe('paths, names and commands', () => {
  it('highlights backquoted paths, including empty and multi-line ones', () => {
    expect(classOf(SEED, '`jsonStr`')).toBe('tok-string2');
    expect(classOf(SEED, '``')).toBe('tok-string2');
    expect(classOf('load csv.`/a/b c``d` as t;', '`/a/b c``d`')).toBe('tok-string2');
  });

  it('highlights the format, the table name and option keys', () => {
    expect(classOf(SEED, 'jsonStr', 1)).toBe('tok-variableName');
    expect(classOf(SEED, 'data')).toBe('tok-variableName tok-definition');
    expect(classOf(SEED, 'inputTable')).toBe('tok-propertyName');
    expect(classOf(SEED, 'jsonStr')).toBe('tok-propertyName');
  });

  it('highlights !commands', () => {
    expect(classOf(SEED, '!python')).toBe('tok-meta');
    expect(classOf('!hdfs -ls /tmp;', '!hdfs')).toBe('tok-meta');
  });

  it('highlights template variables and numbers', () => {
    const found = tokens('select ${a} + $b, 12, 3.5e2, 10L from t as t2;');
    expect(found).toContainEqual({ text: '${a}', classes: 'tok-variableName2' });
    expect(found).toContainEqual({ text: '$b', classes: 'tok-variableName2' });
    for (const number of ['12', '3.5e2', '10L']) {
      expect(found).toContainEqual({ text: number, classes: 'tok-number' });
    }
    expect(classOf('select 1abc from t as t2;', '1abc')).toBe('tok-variableName');
  });
});

describe('comments', () => {
  it('highlights line and block comments', () => {
    expect(classOf('-- a comment\nselect 1 as a;', '-- a comment')).toBe('tok-comment');
    const found = tokens('/* one\ntwo */ select 1 as a; /**/');
    expect(found).toContainEqual({ text: '/* one', classes: 'tok-comment' });
    expect(found).toContainEqual({ text: 'two */', classes: 'tok-comment' });
    expect(found).toContainEqual({ text: '/**/', classes: 'tok-comment' });
    expect(classOf('/* x */ select 1 as a;', 'select')).toBe('tok-keyword');
  });

  it('keeps Spark hints apart from comments', () => {
    expect(classOf('select /*+ BROADCAST(t) */ * from t as a;', '/*+ BROADCAST(t) */')).toBe('tok-meta');
  });

  it('does not end a statement at a quoted or commented semicolon', () => {
    expect(classOf("set a='x;y' -- ; \nselect 1 as b;", "'x;y'")).toBe('tok-string');
  });
});

describe('Python inside code blocks', () => {
  it('highlights the code of code=\'\'\'…\'\'\' as Python', () => {
    const found = tokens(SEED);
    for (const keyword of ['from', 'import', 'def', 'return']) {
      expect(found).toContainEqual({ text: keyword, classes: 'tok-keyword' });
    }
    expect(found).toContainEqual({ text: 'echo', classes: 'tok-variableName tok-definition' });
    expect(found).toContainEqual({ text: '"127.0.0.1:10001"', classes: 'tok-string' });
    expect(found).toContainEqual({ text: "'Busn_A'", classes: 'tok-string' });
  });

  it('goes back to Byzer after the closing quotes', () => {
    const source = "run command as Ray.`` where code='''\nx = 1  # '''\n;\nselect 2 as y;";
    expect(classOf(source, '# ')).toBe('tok-comment');
    expect(classOf(source, 'select')).toBe('tok-keyword');
    expect(classOf(source, 'y')).toBe('tok-variableName tok-definition');
  });

  it('leaves other block strings as strings', () => {
    expect(classOf("set code='''\ndef f(): pass\n''';", 'def f(): pass')).toBe('tok-string');
    expect(classOf("run t as X.`` where script='''\ndef f(): pass\n''';", 'def f(): pass')).toBe('tok-string');
  });

  it('treats a Byzer Notebook #%python cell as Python', () => {
    const found = tokens('#%python\n#%input=data\nimport os\ndef f():\n    return 1\n');
    expect(found).toContainEqual({ text: '#%python', classes: 'tok-meta' });
    expect(found).toContainEqual({ text: '#%input=data', classes: 'tok-meta' });
    expect(found).toContainEqual({ text: 'import', classes: 'tok-keyword' });
    expect(found).toContainEqual({ text: 'return', classes: 'tok-keyword' });
  });
});

describe('cell magic line', () => {
  it('highlights the %%byzer line as meta and the rest as Byzer', () => {
    const found = tokens('%%byzer --plan\nselect 1 as a;');
    expect(found[0]).toEqual({ text: '%%byzer --plan', classes: 'tok-meta' });
    expect(found).toContainEqual({ text: 'select', classes: 'tok-keyword' });
  });

  it('highlights a %%python cell of the Byzer kernel as Python', () => {
    const found = tokens('%%python\nimport os\nselect = 1\n');
    expect(found[0]).toEqual({ text: '%%python', classes: 'tok-meta' });
    expect(found).toContainEqual({ text: 'import', classes: 'tok-keyword' });
    expect(found).toContainEqual({ text: 'select', classes: 'tok-variableName' });
  });

  it('only honours %%python on the first line', () => {
    const found = tokens('select 1 as a;\n%%python\nimport os\n');
    expect(found).toContainEqual({ text: 'import', classes: 'tok-variableName' });
  });
});
