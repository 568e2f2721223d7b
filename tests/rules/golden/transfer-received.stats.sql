SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", coalesce((FALSE), FALSE) AS "_ok"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "erp"."transfers" AS b LEFT JOIN (SELECT "item_id", MAX("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "item_id") AS lk0 ON lk0."item_id" IS NOT DISTINCT FROM b."item_id") AS t
  WHERE ("shipped_at" <= CAST($as_of AS TIMESTAMPTZ) AND ("received_at" IS NULL OR "received_at" > CAST($as_of AS TIMESTAMPTZ)))
) AS checked
