WITH
"l_rows" AS (
  SELECT "order_id" AS "k__order_id", "order_value", "site", CAST("released_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."order_value" AS "order_value" FROM "erp"."orders" AS b LEFT JOIN (SELECT "order_id", SUM("qty" * "unit_price") AS "order_value" FROM "erp"."order_lines" WHERE COALESCE("status", '') <> 'CANCELLED' GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id") AS t
  WHERE NOT "released_at" IS NULL AND COALESCE("status", '') <> 'CANCELLED'
),
"r_rows" AS (
  SELECT "order_id" AS "k__order_id", "qty", CAST(NULL AS TIMESTAMPTZ) AS "_event"
  FROM "wms"."shipment_lines" AS t
  WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status")
),
"l_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "l_rows"
),
"r_side" AS (
  SELECT "k__order_id", sum("qty") AS "qty", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__order_id"
),
"pairs" AS (
  SELECT coalesce(l."k__order_id", r."k__order_id") AS "k__order_id", l."order_value" AS "l__order_value", l."site" AS "l__site", l."_event" AS "l___event", l."_here" AS "l___here", l."_row" AS "l___row", r."qty" AS "r__qty", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__order_id" IS NOT DISTINCT FROM r."k__order_id"
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", bool_and("l___here" IS NOT NULL AND "r___here" IS NOT NULL) AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
  GROUP BY "k__order_id"
) AS checked
