SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", coalesce((NOT "tracking_no" IS NULL), FALSE) AS "_ok"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "wms"."shipment_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."line_no") AS t
  WHERE (ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status"))
) AS checked
