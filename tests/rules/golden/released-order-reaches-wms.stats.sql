WITH
"l_rows" AS (
  SELECT "order_id" AS "k__order_id", "order_currency", "order_value", "site", CAST("released_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM (SELECT b.*, lk0."order_value" AS "order_value", lk0."order_currency" AS "order_currency" FROM "erp"."orders" AS b LEFT JOIN (SELECT "order_id", SUM("qty" * "unit_price") AS "order_value", min("currency") AS "order_currency" FROM "erp"."order_lines" WHERE COALESCE("status", '') <> 'CANCELLED' GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id") AS t
  WHERE NOT "released_at" IS NULL AND COALESCE("status", '') <> 'CANCELLED'
),
"r_rows" AS (
  SELECT "order_id" AS "k__order_id", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM "wms"."orders" AS t
),
"l_side" AS (
  SELECT *, list_value("_row") AS "_rows"
  FROM "l_rows"
),
"r_side" AS (
  SELECT *, list_value("_row") AS "_rows"
  FROM "r_rows"
),
"pairs" AS (
  SELECT coalesce(l."k__order_id", r."k__order_id") AS "k__order_id", l."order_currency" AS "l__order_currency", l."order_value" AS "l__order_value", l."site" AS "l__site", l."_event" AS "l___event", l."_rows" AS "l___rows", l."_id" AS "l___id", r."_event" AS "r___event", r."_rows" AS "r___rows", r."_id" AS "r___id", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__order_id" IS NOT DISTINCT FROM r."k__order_id"
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", bool_and("l___rows" IS NOT NULL AND "r___rows" IS NOT NULL) AS "_ok"
  FROM "pairs"
  WHERE "l___rows" IS NOT NULL
  GROUP BY "k__order_id"
) AS checked
