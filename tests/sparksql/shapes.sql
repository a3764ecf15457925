-- Everyday query shapes of Byzer scripts, with the fixture tables they read. Spark's answers are in
-- golden/shapes.jsonl (dev/record-spark-golden). A block starts at `-- table: name` or `-- query: id`.

-- table: people
SELECT * FROM VALUES
  (1, 'alice', 34, 'eng', CAST('2020-01-15' AS DATE), CAST(1200.50 AS DECIMAL(10,2)), array(1, 2, 3)),
  (2, 'bob', 28, 'eng', CAST('2021-06-01' AS DATE), CAST(980.00 AS DECIMAL(10,2)), array(4)),
  (3, 'carol', 45, 'ops', CAST('2019-03-20' AS DATE), CAST(1500.25 AS DECIMAL(10,2)), array()),
  (4, 'dave', NULL, 'ops', NULL, NULL, NULL),
  (5, 'eve', 28, 'sales', CAST('2022-11-30' AS DATE), CAST(700.75 AS DECIMAL(10,2)), array(5, 6))
  AS people(id, name, age, dept, joined, salary, tags)

-- table: events
SELECT * FROM VALUES
  (1, 'click', '2023-01-01 10:00:00', 'a,b,c', '{"k":1,"v":"x"}'),
  (1, 'view', '2023-01-01 10:05:30', 'b', '{"k":2}'),
  (2, 'click', '2023-01-02 23:59:59', '', NULL),
  (3, 'buy', '2023-02-28 08:00:00', 'a,,c', '{"k":3,"v":"z"}')
  AS events(user_id, kind, at, labels, payload)

-- table: nums
SELECT * FROM VALUES (1, 2.5D, '10'), (2, -1.5D, 'x'), (3, NULL, '7.9'), (NULL, 0.0D, '') AS nums(i, d, s)

-- query: join_inner
SELECT p.name, e.kind FROM people p JOIN events e ON p.id = e.user_id ORDER BY p.name, e.kind

-- query: join_left_null
SELECT p.id, e.kind FROM people p LEFT JOIN events e ON p.id = e.user_id ORDER BY p.id, e.kind

-- query: join_semi
SELECT id FROM people LEFT SEMI JOIN events ON people.id = events.user_id ORDER BY id

-- query: join_anti
SELECT id FROM people LEFT ANTI JOIN events ON people.id = events.user_id ORDER BY id

-- query: join_using
SELECT * FROM (SELECT id, name FROM people) a JOIN (SELECT user_id AS id, kind FROM events) b USING (id) ORDER BY id, kind

-- query: group_count
SELECT dept, count(*), count(age), avg(age), sum(salary), max(joined) FROM people GROUP BY dept ORDER BY dept

-- query: group_having
SELECT dept, count(1) AS n FROM people GROUP BY dept HAVING count(1) > 1 ORDER BY dept

-- query: group_decimal_avg
SELECT avg(salary), sum(salary), min(salary) FROM people

-- query: group_cube
SELECT dept, age, count(*) FROM people GROUP BY dept, age WITH CUBE ORDER BY dept, age, 3

-- query: group_rollup
SELECT dept, age, count(*) FROM people GROUP BY dept, age WITH ROLLUP ORDER BY dept, age, 3

-- query: grouping_sets_after_columns
SELECT dept, age, sum(id) FROM people GROUP BY dept, age GROUPING SETS ((dept), (age), ()) ORDER BY dept, age, 3

-- query: grouping_id
SELECT dept, grouping__id, count(*) FROM people GROUP BY dept WITH ROLLUP ORDER BY dept

-- query: grouping_fn
SELECT dept, grouping(dept), count(*) FROM people GROUP BY CUBE(dept) ORDER BY dept

-- query: window_rank
SELECT name, dept, rank() OVER (PARTITION BY dept ORDER BY age DESC) FROM people ORDER BY dept, name

-- query: window_row_number
SELECT name, row_number() OVER (ORDER BY id) AS rn FROM people ORDER BY rn

-- query: window_running_sum
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM people ORDER BY id

-- query: window_lag_lead
SELECT id, lag(age) OVER (ORDER BY id), lead(age, 2, 0) OVER (ORDER BY id) FROM people ORDER BY id

-- query: window_unnamed_avg
SELECT dept, avg(age) OVER (PARTITION BY dept) FROM people ORDER BY dept, id

-- query: cast_int_eq_empty
SELECT id FROM people WHERE id = '' ORDER BY id

-- query: cast_int_eq_string
SELECT id FROM people WHERE id = '2' ORDER BY id

-- query: cast_string_gt_number
SELECT s FROM nums WHERE s > 5 ORDER BY s

-- query: cast_extract_string
SELECT extract(year FROM '2011-11-11')

-- query: cast_string_minus_interval
SELECT '2011-11-11' - interval '2' day

-- query: cast_abs_string
SELECT abs('-2.19')

-- query: cast_length_int
SELECT length(42)

-- query: cast_null_arg
SELECT concat('a', NULL), coalesce(NULL, 1), NULL + 1

-- query: cast_string_plus_int
SELECT '1' + 2, '1.5' * 2, 5 / 2, 5 div 2

-- query: cast_date_vs_string
SELECT name FROM people WHERE joined > '2020-06-01' ORDER BY name

-- query: cast_string_to_int_truncates
SELECT CAST('7.9' AS INT), CAST('x' AS INT), CAST(' 12 ' AS INT), CAST('1e3' AS INT)

-- query: cast_column_strings
SELECT s, CAST(s AS INT), CAST(s AS DOUBLE), CAST(s AS DECIMAL(5,2)) FROM nums ORDER BY i

-- query: cast_int_binary
SELECT CAST(1 AS BINARY), CAST(257 AS BINARY)

-- query: cast_struct_string
SELECT CAST(named_struct('a', 1, 'b', array(0.0D, 1.0D)) AS STRING)

-- query: cast_array_string
SELECT CAST(array(1, NULL, 3) AS STRING), CAST(map('k', 1) AS STRING)

-- query: cast_bool_string
SELECT CAST(true AS STRING), CAST('yes' AS BOOLEAN), CAST('t' AS BOOLEAN), CAST(0 AS BOOLEAN)

-- query: cast_double_string
SELECT CAST(1.0E10D AS STRING), CAST(0.1D AS STRING), CAST(1e-5D AS STRING), CAST(123456789.0D AS STRING)

-- query: concat_pipes_plus
SELECT 'a' || 1 + 2, 1 + 2 || 'b'

-- query: div_mod_zero
SELECT 1 div 0, 5 % 0, 5 / 0, pmod(-7, 3), -7 % 3

-- query: dayofweek_numbering
SELECT dayofweek('2023-01-01'), weekday('2023-01-01'), dayofweek('2023-01-07')

-- query: interval_year_month
SELECT INTERVAL '3-1' YEAR TO MONTH

-- query: interval_day_second
SELECT INTERVAL '1 02:03:04' DAY TO SECOND

-- query: struct_star
SELECT STRUCT(p.*) FROM (SELECT id, name FROM people WHERE id < 3) p ORDER BY 1

-- query: count_star_qualified
SELECT count(p.*) FROM people p

-- query: values_default_names
SELECT * FROM VALUES (1, 'a'), (2, 'b')

-- query: range_id
SELECT * FROM range(3)

-- query: range_start_end
SELECT id FROM range(2, 8, 3)

-- query: names_size
SELECT size(tags) FROM people ORDER BY id

-- query: names_cast
SELECT CAST(1.23 AS INT), CAST('2020-01-01' AS DATE)

-- query: names_arith
SELECT id + age, id * 2, -id FROM people ORDER BY id

-- query: names_subscript
SELECT tags[0], tags[5] FROM people ORDER BY id

-- query: names_literals
SELECT 1, 'x', 1.5, 2.0D, true, NULL, DATE'2020-01-01', X'0A'

-- query: names_nested_calls
SELECT upper(substr(name, 1, 2)), round(salary / 3, 1) FROM people ORDER BY id

-- query: names_case
SELECT CASE WHEN age > 30 THEN 'old' ELSE 'young' END FROM people ORDER BY id

-- query: names_in_between
SELECT id IN (1, 2), age BETWEEN 20 AND 30, name LIKE 'a%' FROM people ORDER BY id

-- query: names_is_null
SELECT age IS NULL, age IS NOT NULL, isnull(age) FROM people ORDER BY id

-- query: result_types_int
SELECT size(tags), length(name), year(joined), month(joined), day(joined) FROM people ORDER BY id

-- query: result_types_date_add
SELECT date_add(joined, 1), date_sub(joined, 1), add_months(joined, 1) FROM people ORDER BY id

-- query: result_types_ceil_floor
SELECT ceil(2.5D), floor(-2.5D), ceil(salary), round(2.5D), round(2.5) FROM people WHERE id = 1

-- query: decimal_arith
SELECT salary * 2, salary / 3, salary + 1.5, salary * salary FROM people WHERE id = 1

-- query: date_format_java
SELECT date_format(CAST(at AS TIMESTAMP), 'yyyy-MM-dd HH:mm:ss.SSS'), date_format(CAST(at AS TIMESTAMP), 'EEE, d MMM yyyy hh:mm a') FROM events ORDER BY at

-- query: to_timestamp_optional
SELECT to_timestamp('2020-01-01 10:11:12.123456', 'yyyy-MM-dd HH:mm:ss[.SSSSSS]'), to_timestamp('2020-01-01 10:11:12', 'yyyy-MM-dd HH:mm:ss[.SSSSSS]')

-- query: to_date_day_only
SELECT to_date('16', 'dd'), to_date('2020/03', 'yyyy/MM'), to_date('bad', 'yyyy-MM-dd')

-- query: unix_timestamp_pattern
SELECT unix_timestamp('2020-01-01 00:00:10', 'yyyy-MM-dd HH:mm:ss'), from_unixtime(0, 'yyyy/MM/dd HH:mm')

-- query: date_trunc_units
SELECT date_trunc('MONTH', '2020-03-15 10:11:12'), date_trunc('week', '2020-03-15'), trunc('2020-03-15', 'YEAR')

-- query: split_limit
SELECT split('a,b,c,d', ',', 2), split('a1b22c', '[0-9]+'), split(labels, ',') FROM events ORDER BY at

-- query: format_string_printf
SELECT format_string('%s has %d items costing %.2f', 'cart', 3, 9.5), format_string('%05d|%-4s|%x', 42, 'ab', 255)

-- query: format_string_double
SELECT format_string('%s: %.2f|%e|%10.3f', 'pi', 3.14159D, 12345.678D, 2.5D), printf('%d%%', 50)

-- query: from_json_ddl
SELECT from_json(payload, 'k INT, v STRING') FROM events ORDER BY at

-- query: from_json_fields
SELECT from_json(payload, 'k INT, v STRING').k AS k FROM events ORDER BY at

-- query: schema_of_json
SELECT schema_of_json('{"a":1,"b":[1.5],"c":{"d":"x"}}')

-- query: get_json_object
SELECT get_json_object(payload, '$.k'), get_json_object(payload, '$.v') FROM events ORDER BY at

-- query: json_tuple_lateral
SELECT user_id, k, v FROM events LATERAL VIEW json_tuple(payload, 'k', 'v') j AS k, v ORDER BY at

-- query: explode_lateral
SELECT id, t FROM people LATERAL VIEW explode(tags) x AS t ORDER BY id, t

-- query: explode_outer_lateral
SELECT id, t FROM people LATERAL VIEW OUTER explode(tags) x AS t ORDER BY id, t

-- query: posexplode_select
SELECT posexplode(array('a', 'b'))

-- query: explode_map
SELECT explode(map('x', 1, 'y', 2))

-- query: inline_structs
SELECT inline(array(struct(1, 'a'), struct(2, 'b')))

-- query: stack_rows
SELECT stack(2, 1, 'a', 2, 'b')

-- query: transform_index
SELECT transform(array(10, 20, 30), (x, i) -> x + i)

-- query: exists_lambda
SELECT exists(tags, x -> x > 3) FROM people ORDER BY id

-- query: filter_aggregate_lambda
SELECT filter(tags, x -> x % 2 = 1), aggregate(tags, 0, (acc, x) -> acc + x) FROM people ORDER BY id

-- query: map_contains_key
SELECT map_contains_key(map(1, 'a'), 1), map_keys(map('a', 1, 'b', 2)), element_at(map('a', 1), 'a')

-- query: lpad_binary
SELECT lpad(X'1020', 5, X'05'), rpad(X'1020', 5, X'05')

-- query: collect_list_set
SELECT dept, collect_list(name), sort_array(collect_set(age)) FROM people GROUP BY dept ORDER BY dept

-- query: some_any_every
SELECT some(age > 40), any(age > 50), every(age > 20), bool_and(id > 0) FROM people

-- query: string_functions
SELECT concat_ws('-', name, dept), initcap('hello world'), instr(name, 'l'), locate('l', name, 4), reverse(name) FROM people ORDER BY id

-- query: regexp_functions
SELECT regexp_extract(name, '(a)(l)', 2), regexp_replace(name, '[aeiou]', '*'), name RLIKE '^[ab]' FROM people ORDER BY id

-- query: substring_forms
SELECT substring(name, 2), substring(name, -3, 2), substring(name FROM 2 FOR 3), left(name, 2), right(name, 2) FROM people ORDER BY id

-- query: trim_forms
SELECT trim('  a  '), trim(BOTH 'x' FROM 'xxaxx'), ltrim('xxa', 'x'), rtrim('axx', 'x')

-- query: nvl_family
SELECT nvl(age, -1), nvl2(age, 'y', 'n'), ifnull(age, 0), nullif(age, 28), coalesce(age, id) FROM people ORDER BY id

-- query: conditional_if
SELECT if(age > 30, 'old', 'young'), CASE dept WHEN 'eng' THEN 1 WHEN 'ops' THEN 2 END FROM people ORDER BY id

-- query: subquery_in
SELECT name FROM people WHERE id IN (SELECT user_id FROM events) ORDER BY name

-- query: subquery_scalar
SELECT name, (SELECT max(age) FROM people) - age AS gap FROM people ORDER BY id

-- query: cte_chain
WITH a AS (SELECT dept, count(*) AS n FROM people GROUP BY dept), b AS (SELECT * FROM a WHERE n > 1) SELECT * FROM b ORDER BY dept

-- query: union_distinct
SELECT dept FROM people UNION SELECT kind FROM events ORDER BY dept

-- query: union_all_types
SELECT id FROM people UNION ALL SELECT 1.5 ORDER BY id

-- query: intersect_except
SELECT id FROM people INTERSECT SELECT user_id FROM events EXCEPT SELECT 2 ORDER BY id

-- query: distinct_order_limit
SELECT DISTINCT dept FROM people ORDER BY dept DESC LIMIT 2

-- query: order_nulls
SELECT age FROM people ORDER BY age, id

-- query: order_desc_nulls
SELECT age FROM people ORDER BY age DESC, id

-- query: array_functions
SELECT array_contains(tags, 2), array_max(tags), array_min(tags), array_distinct(array(1, 1, 2)), array_join(array('a', NULL, 'b'), ',', '?') FROM people ORDER BY id

-- query: map_from_arrays
SELECT map_from_arrays(array('a', 'b'), array(1, 2)), str_to_map('a:1,b:2')

-- query: struct_field_access
SELECT s.a, s.b FROM (SELECT named_struct('a', 1, 'b', 'x') AS s)

-- query: math_functions
SELECT round(3.14159, 2), bround(2.5, 0), pow(2, 10), sqrt(16), log(2, 8), ln(1), exp(0), sign(-3)

-- query: conv_hex
SELECT conv('100', 2, 10), hex(255), unhex('FF'), bin(5)

-- query: width_bucket_col
SELECT width_bucket(age, 20, 50, 3) FROM people ORDER BY id

-- query: nanvl_elt
SELECT nanvl(CAST('NaN' AS DOUBLE), 1.0D), elt(2, 'a', 'b', 'c')

-- query: timestamp_seconds
SELECT timestamp_seconds(1230219000), timestamp_millis(1230219000123)

-- query: datediff_months_between
SELECT datediff('2020-03-01', '2020-02-01'), months_between('2020-03-31', '2020-02-28'), last_day('2020-02-10'), next_day('2020-02-10', 'MO')

-- query: timestamp_arith
SELECT CAST('2020-01-01 10:00:00' AS TIMESTAMP) + INTERVAL 1 HOUR, CAST('2020-01-01' AS DATE) + 3, date_add('2020-01-31', 1)

-- query: string_to_timestamp_cmp
SELECT kind FROM events WHERE at > '2023-01-02' ORDER BY kind

-- query: hash_functions
SELECT md5('abc'), sha1('abc'), sha2('abc', 256), crc32('abc'), base64('abc'), unbase64('YWJj')

-- query: typeof_literals
SELECT typeof(1), typeof(1L), typeof(1.5), typeof(1.5D), typeof('a'), typeof(DATE'2020-01-01')

-- query: bigint_overflow
SELECT 9223372036854775807L + 1, 2147483647 + 1

-- query: integer_division_types
SELECT 7 / 2, 7.0 / 2, CAST(7 AS BIGINT) / 2, 7 % 2.5

-- query: order_by_alias_ordinal
SELECT dept AS d, count(*) AS n FROM people GROUP BY 1 ORDER BY 2 DESC, 1

-- query: cast_timestamp_string
SELECT CAST(CAST('2020-01-01 10:11:12.5' AS TIMESTAMP) AS STRING), CAST(DATE'2020-01-01' AS TIMESTAMP)

-- query: sum_int_types
SELECT sum(age), sum(CAST(age AS DOUBLE)), count(DISTINCT dept) FROM people

-- query: percentile_functions
SELECT percentile(age, 0.5), percentile_approx(age, 0.5), median_of_ages FROM (SELECT age, 0 AS median_of_ages FROM people) GROUP BY median_of_ages

-- query: first_last
SELECT first(name), last(name), first(age, true) FROM (SELECT * FROM people ORDER BY id)

-- query: uuid_function
SELECT length(uuid())

-- query: spark_rejects_unknown_column
SELECT nope FROM people

-- query: spark_rejects_bad_syntax
SELECT (1 FROM people

-- query: spark_rejects_unknown_function
SELECT no_such_function(1)

-- query: grouping_sets_only_id
SELECT dept, age, grouping__id FROM people GROUP BY GROUPING SETS ((age), (dept)) ORDER BY dept, age

-- query: grouping_id_having
SELECT dept, count(*) AS n, grouping_id() AS g FROM people GROUP BY dept WITH ROLLUP HAVING grouping(dept) = 1

-- query: window_types
SELECT id, ntile(2) OVER (ORDER BY id), percent_rank() OVER (ORDER BY id), cume_dist() OVER (ORDER BY id), dense_rank() OVER (ORDER BY dept), lead(name, 1, 'none') OVER (ORDER BY id) FROM people ORDER BY id

-- query: window_aggregates
SELECT id, sum(salary) OVER (PARTITION BY dept), count(*) OVER (), avg(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM people ORDER BY id

-- query: struct_field_names
SELECT struct(id, name AS n, 1), struct(p.*, true) FROM (SELECT id, name FROM people WHERE id = 1) p

-- query: stack_columns
SELECT id, stack(2, id, name, 0, 'z') FROM people WHERE id < 3 ORDER BY id, col0

-- query: values_alias_only
SELECT t.col1, col2 FROM VALUES (1, 2.5), (2, NULL) AS t ORDER BY col1

-- query: range_negative_step
SELECT id FROM range(5, 0, -2)

-- query: in_mixed_literals
SELECT 1 IN ('1', 2), 'a' IN (1, 2), NULL IN (1), 3 IN (1, NULL), id IN (1, NULL) FROM people ORDER BY id

-- query: xpath_subset
SELECT xpath('<a><b x="1"/><b x="2"/></a>', 'a/b/@x'), xpath_string('<a><b>x<c>y</c></b></a>', 'a/b'), xpath_int('<a><b>1</b><b>2</b></a>', 'sum(a/b)'), xpath_double('<a>x</a>', 'a'), xpath_boolean('<a><b/></a>', '//b')

-- query: aes_ecb_roundtrip
SELECT base64(aes_encrypt('Byzer', '0000111122223333', 'ECB')), CAST(aes_decrypt(aes_encrypt('Byzer', '000011112222333344445555'), '000011112222333344445555') AS STRING)

-- query: spark_rejects_count_qualified_star_join
SELECT count(e.*) FROM people p JOIN events e ON p.id = e.user_id
