WITH
"rows" AS (
  SELECT t.*, "invoice_id" AS "k__invoice_id", "line_no" AS "k__line_no", CAST("invoiced_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM "erp"."invoice_lines" AS t
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT count(*) AS "_n", count(*) <= 1 AS "_ok"
  FROM "rows" GROUP BY "k__invoice_id", "k__line_no"
) AS checked
