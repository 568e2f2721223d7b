WITH
"l_rows" AS (
  SELECT "transaction_set" AS "k__transaction_set", NULLIF(coalesce(NULLIF(ltrim(CAST("group_control" AS VARCHAR), '0'), ''), left(CAST("group_control" AS VARCHAR), 1)), '') AS "k__group_control", NULLIF(coalesce(NULLIF(ltrim(CAST("control_number" AS VARCHAR), '0'), ''), left(CAST("control_number" AS VARCHAR), 1)), '') AS "k__control_number", "document_currency", "document_value", "reference", "shipment_currency", "shipment_value", "transaction_set", CAST(TIMEZONE('UTC', CAST("sent_at" AS TIMESTAMP)) AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM (SELECT b.*, lk0."document_value" AS "document_value", lk0."document_currency" AS "document_currency", lk1."shipment_value" AS "shipment_value", lk1."shipment_currency" AS "shipment_currency" FROM (SELECT b.*, NULLIF(upper(trim(CAST(b."reference" AS VARCHAR), ' 	
' || chr(160))), '') AS "_lk_key0" FROM "edi"."edi_documents" AS b) AS b LEFT JOIN (SELECT "_interchange_control", "_set_control", SUM("amount") AS "document_value", min("currency") AS "document_currency" FROM "edi"."invoice_lines" GROUP BY "_interchange_control", "_set_control") AS lk0 ON lk0."_interchange_control" IS NOT DISTINCT FROM b."interchange_control" AND lk0."_set_control" IS NOT DISTINCT FROM b."control_number" LEFT JOIN (SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "shipment_id", SUM("qty" * "unit_price") AS "shipment_value", MIN("currency") AS "shipment_currency" FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "wms"."shipment_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."line_no") AS lt WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status") GROUP BY 1) AS lk1 ON lk1."shipment_id" IS NOT DISTINCT FROM b."_lk_key0") AS t
  WHERE "direction" = 'outbound' AND NOT "transaction_set" IN ('997', '999', 'CONTRL', 'APERAK')
),
"r_rows" AS (
  SELECT "acked_transaction_set" AS "k__transaction_set", NULLIF(coalesce(NULLIF(ltrim(CAST("acked_group_control" AS VARCHAR), '0'), ''), left(CAST("acked_group_control" AS VARCHAR), 1)), '') AS "k__group_control", NULLIF(coalesce(NULLIF(ltrim(CAST("acked_control_number" AS VARCHAR), '0'), ''), left(CAST("acked_control_number" AS VARCHAR), 1)), '') AS "k__control_number", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM "edi"."edi_acks" AS t
),
"l_side" AS (
  SELECT *, TRUE AS "_here", row_number() OVER (PARTITION BY "k__transaction_set", "k__group_control", "k__control_number" ORDER BY "document_currency", "document_value", "reference", "shipment_currency", "shipment_value", "transaction_set", "_id") AS "_dup"
  FROM "l_rows"
),
"r_side" AS (
  SELECT *, TRUE AS "_here", row_number() OVER (PARTITION BY "k__transaction_set", "k__group_control", "k__control_number" ORDER BY "_id") AS "_dup"
  FROM "r_rows"
),
"pairs" AS (
  SELECT coalesce(l."k__transaction_set", r."k__transaction_set") AS "k__transaction_set", coalesce(l."k__group_control", r."k__group_control") AS "k__group_control", coalesce(l."k__control_number", r."k__control_number") AS "k__control_number", l."document_currency" AS "l__document_currency", l."document_value" AS "l__document_value", l."reference" AS "l__reference", l."shipment_currency" AS "l__shipment_currency", l."shipment_value" AS "l__shipment_value", l."transaction_set" AS "l__transaction_set", l."_event" AS "l___event", l."_here" AS "l___here", l."_id" AS "l___id", l."_row" AS "l___row", r."_event" AS "r___event", r."_here" AS "r___here", r."_id" AS "r___id", r."_row" AS "r___row", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__transaction_set" IS NOT DISTINCT FROM r."k__transaction_set" AND l."k__group_control" IS NOT DISTINCT FROM r."k__group_control" AND l."k__control_number" IS NOT DISTINCT FROM r."k__control_number" AND l."_dup" = r."_dup"
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", bool_and("l___here" IS NOT NULL AND "r___here" IS NOT NULL) AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
  GROUP BY "k__transaction_set", "k__group_control", "k__control_number"
) AS checked
