SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", coalesce((NOT "delivered_at" IS NULL AND NOT "pod_signed_by" IS NULL), FALSE) AS "_ok"
  FROM "tms"."deliveries" AS t
) AS checked
