WITH
"rows" AS (
  SELECT t.*, "customer_id" AS "k__customer_id", NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", CAST("ordered_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."order_value" AS "order_value", lk0."order_currency" AS "order_currency" FROM "erp"."orders" AS b LEFT JOIN (SELECT "order_id", SUM("qty" * "unit_price") AS "order_value", min("currency") AS "order_currency" FROM "erp"."order_lines" WHERE COALESCE("status", '') <> 'CANCELLED' GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id") AS t
  WHERE (NOT "customer_po" IS NULL AND COALESCE("status", '') <> 'CANCELLED')
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT count(*) AS "_n", count(DISTINCT "order_id") <= 1 AS "_ok"
  FROM "rows" GROUP BY "k__customer_id", "k__customer_po"
) AS checked
