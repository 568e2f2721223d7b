WITH
"rows" AS (
  SELECT t.*, "invoice_id" AS "k__invoice_id", "line_no" AS "k__line_no", CAST("invoiced_at" AS TIMESTAMPTZ) AS "_event"
  FROM (SELECT b.*, lk0."site" AS "site" FROM "erp"."invoice_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("site") AS "site" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."order_line_no") AS t
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT count(*) AS "_n", count(*) <= 1 AS "_ok"
  FROM "rows" GROUP BY "k__invoice_id", "k__line_no"
) AS checked
