SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", coalesce((NOT "delivered_at" IS NULL AND NOT "pod_signed_by" IS NULL), FALSE) AS "_ok"
  FROM (SELECT b.*, lk0."site" AS "site" FROM "tms"."deliveries" AS b LEFT JOIN (SELECT "shipment_id", min("site") AS "site" FROM "wms"."shipment_lines" GROUP BY "shipment_id") AS lk0 ON lk0."shipment_id" IS NOT DISTINCT FROM b."shipment_id") AS t
) AS checked
