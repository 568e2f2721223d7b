SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", coalesce(("status" IS NULL OR "status" <> 'R'), FALSE) AS "_ok"
  FROM (SELECT b.*, lk0."document" AS "document" FROM "edi"."edi_acks" AS b LEFT JOIN (SELECT "group_control", "control_number", "transaction_set", min("reference") AS "document" FROM "edi"."edi_documents" WHERE "direction" = 'outbound' GROUP BY "group_control", "control_number", "transaction_set") AS lk0 ON lk0."group_control" IS NOT DISTINCT FROM b."acked_group_control" AND lk0."control_number" IS NOT DISTINCT FROM b."acked_control_number" AND lk0."transaction_set" IS NOT DISTINCT FROM b."acked_transaction_set") AS t
) AS checked
