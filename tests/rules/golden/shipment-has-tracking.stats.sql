SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", coalesce((NOT "tracking_no" IS NULL), FALSE) AS "_ok"
  FROM "wms"."shipment_lines" AS t
  WHERE ("status" = 'SHIPPED')
) AS checked
