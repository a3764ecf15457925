"""The seed document's example (kept in this repository), used by several test modules."""

SEED_JSON = """
{"Busn_A":114,"Busn_B":57},
{"Busn_A":55,"Busn_B":134},
{"Busn_A":27,"Busn_B":137},
{"Busn_A":101,"Busn_B":129},
{"Busn_A":125,"Busn_B":145},
{"Busn_A":27,"Busn_B":60},
{"Busn_A":105,"Busn_B":49}
"""

# The set + load part of the seed cell.
SEED_LOAD = "set jsonStr='''" + SEED_JSON + "''';\nload jsonStr.`jsonStr` as data;"

# The seed document's example, verbatim (its pythonExec path and Ray address do not exist here).
SEED = """-- 分布式获取 python hello world

set jsonStr='''""" + SEED_JSON + """''';

load jsonStr.`jsonStr` as data;

!python conf "pythonExec=/home/winubuntu/miniconda3/envs/byzerllm-desktop/bin/python";
!python conf "schema=st(field(ProductName,string),field(SubProduct,string))";
!python conf "dataMode=data";
!python conf "runIn=driver";

run command as Ray.`` where 
inputTable="data"
and outputTable="python_output_table"
and code='''
from pyjava.api.mlsql import PythonContext,RayContext

# type hint
context:PythonContext = context

ray_context = RayContext.connect(globals(),"127.0.0.1:10001")

def echo(row):
    row1 = {}
    row1["ProductName"]=str(row['Busn_A'])+'_jackm'
    row1["SubProduct"] = str(row['Busn_B'])+'_product'
    return row1

ray_context.foreach(echo)
''';
"""

SEED_ROWS = [(114, 57), (55, 134), (27, 137), (101, 129), (125, 145), (27, 60), (105, 49)]

# What the seed's `echo` makes of each row.
SEED_RESULT = [{"ProductName": f"{a}_jackm", "SubProduct": f"{b}_product"} for a, b in SEED_ROWS]
