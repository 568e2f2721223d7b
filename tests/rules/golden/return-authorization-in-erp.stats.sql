WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("rma_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__document", NULLIF(upper(trim(CAST("item_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__item_id", "currency", "order_id", "order_price", "price_180", "qty", CAST(COALESCE("received_at", "sent_at") AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."sent_at" AS "sent_at", lk1."order_price" AS "order_price", lk1."currency" AS "currency", lk2."price_180" AS "price_180" FROM "edi"."returns" AS b LEFT JOIN (SELECT "partner_id", "interchange_control", "control_number", MIN(TIMEZONE('UTC', CAST("sent_at" AS TIMESTAMP))) AS "sent_at" FROM "edi"."edi_documents" WHERE "transaction_set" = '180' GROUP BY "partner_id", "interchange_control", "control_number") AS lk0 ON lk0."partner_id" IS NOT DISTINCT FROM b."partner_id" AND lk0."interchange_control" IS NOT DISTINCT FROM b."_interchange_control" AND lk0."control_number" IS NOT DISTINCT FROM b."_set_control" LEFT JOIN (SELECT "order_id", "item_id", MAX("unit_price") AS "order_price", MIN("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "item_id") AS lk1 ON lk1."order_id" IS NOT DISTINCT FROM b."order_id" AND lk1."item_id" IS NOT DISTINCT FROM b."item_id" LEFT JOIN (SELECT "rma_id", "item_id", MAX(TRY_CAST("unit_price" AS DECIMAL(18, 4))) AS "price_180" FROM "edi"."returns" GROUP BY "rma_id", "item_id") AS lk2 ON lk2."rma_id" IS NOT DISTINCT FROM b."rma_id" AND lk2."item_id" IS NOT DISTINCT FROM b."item_id") AS t
  WHERE NOT "item_id" IS NULL
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("rma_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__document", NULLIF(upper(trim(CAST("item_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__item_id", "order_id", "qty", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM "erp"."returns" AS t
),
"l_side" AS (
  SELECT "k__document", "k__item_id", sum("qty") AS "qty", max("price_180") AS "price_180", max("order_price") AS "order_price", min("currency") AS "currency", min("order_id") AS "order_id", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__document", "k__item_id"
),
"r_side" AS (
  SELECT "k__document", "k__item_id", sum("qty") AS "qty", min("order_id") AS "order_id", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__document", "k__item_id"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__document", r."k__document") AS "k__document", coalesce(l."k__item_id", r."k__item_id") AS "k__item_id", l."currency" AS "l__currency", l."order_id" AS "l__order_id", l."order_price" AS "l__order_price", l."price_180" AS "l__price_180", l."qty" AS "l__qty", l."_event" AS "l___event", l."_here" AS "l___here", r."order_id" AS "r__order_id", r."qty" AS "r__qty", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__document" IS NOT DISTINCT FROM r."k__document" AND l."k__item_id" IS NOT DISTINCT FROM r."k__item_id"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
) AS checked
