WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("order_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "line_no" AS "k__line_no", "accepted_qty", "unit_price", CAST("acked_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."direction" AS "direction", lk1."accepted_qty" AS "accepted_qty" FROM "edi"."order_acks" AS b LEFT JOIN (SELECT "partner_id", "interchange_control", "control_number", min("direction") AS "direction" FROM "edi"."edi_documents" WHERE "transaction_set" = '855' GROUP BY "partner_id", "interchange_control", "control_number") AS lk0 ON lk0."partner_id" IS NOT DISTINCT FROM b."partner_id" AND lk0."interchange_control" IS NOT DISTINCT FROM b."_interchange_control" AND lk0."control_number" IS NOT DISTINCT FROM b."_set_control" LEFT JOIN (SELECT "order_id", "line_no", "_interchange_control", "_set_control", SUM(CASE WHEN COALESCE("status", '') IN ('IR', 'ID', 'R1', 'R2', 'R3', 'R4', 'R5') THEN 0 ELSE COALESCE("ack_qty", "qty") END) AS "accepted_qty" FROM "edi"."order_acks" GROUP BY "order_id", "line_no", "_interchange_control", "_set_control") AS lk1 ON lk1."order_id" IS NOT DISTINCT FROM b."order_id" AND lk1."line_no" IS NOT DISTINCT FROM b."line_no" AND lk1."_interchange_control" IS NOT DISTINCT FROM b."_interchange_control" AND lk1."_set_control" IS NOT DISTINCT FROM b."_set_control") AS t
  WHERE NOT "line_no" IS NULL AND "direction" = 'outbound'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "line_no" AS "k__line_no", "currency", "open_qty", "order_id", "unit_price", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."customer_po" AS "customer_po", lk1."open_qty" AS "open_qty" FROM "erp"."order_lines" AS b LEFT JOIN (SELECT "order_id", min("customer_po") AS "customer_po" FROM "erp"."orders" GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" LEFT JOIN (SELECT "order_id", "line_no", SUM(CASE WHEN COALESCE("status", '') = 'CANCELLED' THEN 0 ELSE "qty" END) AS "open_qty" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk1 ON lk1."order_id" IS NOT DISTINCT FROM b."order_id" AND lk1."line_no" IS NOT DISTINCT FROM b."line_no") AS t
),
"l_side" AS (
  SELECT "k__customer_po", "k__line_no", max("accepted_qty") AS "accepted_qty", max("unit_price") AS "unit_price", max("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__customer_po", "k__line_no"
),
"r_side" AS (
  SELECT "k__customer_po", "k__line_no", sum("open_qty") AS "open_qty", max("unit_price") AS "unit_price", min("order_id") AS "order_id", min("currency") AS "currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__customer_po", "k__line_no"
),
"pairs" AS (
  SELECT *, ((("l__accepted_qty") IS NULL AND ("r__open_qty") IS NULL) OR (("l__accepted_qty") IS NOT NULL AND ("r__open_qty") IS NOT NULL AND (abs(("l__accepted_qty") - ("r__open_qty")) <= 0))) AS "_ok0", (("l__unit_price") IS NULL OR ("r__unit_price") IS NULL OR (abs(("l__unit_price") - ("r__unit_price")) <= 0.01)) AS "_ok1" FROM (
  SELECT coalesce(l."k__customer_po", r."k__customer_po") AS "k__customer_po", coalesce(l."k__line_no", r."k__line_no") AS "k__line_no", l."accepted_qty" AS "l__accepted_qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", r."currency" AS "r__currency", r."open_qty" AS "r__open_qty", r."order_id" AS "r__order_id", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__customer_po" IS NOT DISTINCT FROM r."k__customer_po" AND l."k__line_no" IS NOT DISTINCT FROM r."k__line_no"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AND "_ok1" AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
) AS checked
