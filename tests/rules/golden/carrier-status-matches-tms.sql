WITH
"l_rows" AS (
  SELECT "_lk_key0" AS "k__shipment_id", "carrier", "delivered_at", "shipment_currency", "shipment_value", CAST("delivered_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."shipment_value" AS "shipment_value", lk0."shipment_currency" AS "shipment_currency" FROM (SELECT b.*, NULLIF(upper(trim(CAST(b."shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "_lk_key0" FROM "edi"."deliveries" AS b) AS b LEFT JOIN (SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "shipment_id", SUM("qty" * "unit_price") AS "shipment_value", MIN("currency") AS "shipment_currency" FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "wms"."shipment_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."line_no") AS lt WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status") GROUP BY 1) AS lk0 ON lk0."shipment_id" IS NOT DISTINCT FROM b."_lk_key0") AS t
  WHERE NOT "delivered_at" IS NULL
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__shipment_id", "delivered_at", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM "tms"."deliveries" AS t
),
"l_side" AS (
  SELECT "k__shipment_id", max("delivered_at") AS "delivered_at", min("carrier") AS "carrier", max("shipment_value") AS "shipment_value", min("shipment_currency") AS "shipment_currency", max("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__shipment_id"
),
"r_side" AS (
  SELECT "k__shipment_id", max("delivered_at") AS "delivered_at", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__shipment_id"
),
"pairs" AS (
  SELECT *, ((("l__delivered_at") IS NULL AND ("r__delivered_at") IS NULL) OR (("l__delivered_at") IS NOT NULL AND ("r__delivered_at") IS NOT NULL AND (abs(date_diff('second', CAST("r__delivered_at" AS TIMESTAMPTZ), CAST("l__delivered_at" AS TIMESTAMPTZ))) <= 86400))) AS "_ok0" FROM (
  SELECT coalesce(l."k__shipment_id", r."k__shipment_id") AS "k__shipment_id", l."carrier" AS "l__carrier", l."delivered_at" AS "l__delivered_at", l."shipment_currency" AS "l__shipment_currency", l."shipment_value" AS "l__shipment_value", l."_event" AS "l___event", l."_here" AS "l___here", r."delivered_at" AS "r__delivered_at", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__shipment_id" IS NOT DISTINCT FROM r."k__shipment_id"
  ) AS p
),
"findings" AS (
  SELECT 0 AS "_outcome", 'carrier-status-unknown-shipment' AS exception_type, 'low' AS severity, 'operations' AS owner, 'tms' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST("k__shipment_id" AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('delivered_at' AS VARCHAR) AS field, CAST(strftime(CAST("l__delivered_at" AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%SZ') AS VARCHAR) AS left_value, CAST(strftime(CAST("r__delivered_at" AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%SZ') AS VARCHAR) AS right_value, CAST(NULL AS DECIMAL(18,4)) AS difference, CAST(round("l__shipment_value", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("l__shipment_currency" AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__shipment_id" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE
  UNION ALL
  SELECT 1 AS "_outcome", 'carrier-delivery-not-in-tms' AS exception_type, 'medium' AS severity, 'operations' AS owner, 'tms' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST("k__shipment_id" AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('delivered_at' AS VARCHAR) AS field, CAST(strftime(CAST("l__delivered_at" AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%SZ') AS VARCHAR) AS left_value, CAST(strftime(CAST("r__delivered_at" AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%SZ') AS VARCHAR) AS right_value, CAST(CAST(date_diff('second', CAST("r__delivered_at" AS TIMESTAMPTZ), CAST("l__delivered_at" AS TIMESTAMPTZ)) / 3600.0 AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round("l__shipment_value", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("l__shipment_currency" AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__shipment_id" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE
),
"per_outcome" AS (
  SELECT "_outcome", exception_type, severity, owner, fix_in, "_key", field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(left_value) AS left_value, min(right_value) AS right_value, sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, min(event_at) AS event_at, count(*) AS "_n"
  FROM findings GROUP BY "_outcome", exception_type, severity, owner, fix_in, "_key", field
),
"found" AS (
  SELECT min("_outcome") AS "_outcome", exception_type, "_key", first(severity ORDER BY "_outcome") AS severity, first(owner ORDER BY "_outcome") AS owner, first(fix_in ORDER BY "_outcome") AS fix_in, first(left_value ORDER BY "_outcome") AS left_value, first(right_value ORDER BY "_outcome") AS right_value, first(difference ORDER BY "_outcome") AS difference, first(value_at_risk ORDER BY "_outcome") AS value_at_risk, first(currency ORDER BY "_outcome") AS currency, string_agg(field, ', ' ORDER BY "_outcome") AS field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(event_at) AS event_at, sum("_n") AS "_n"
  FROM per_outcome GROUP BY exception_type, "_key"
),
"lineage_left_keys" AS (
  SELECT DISTINCT * FROM (
    SELECT 'carrier-status-unknown-shipment' AS exception_type, coalesce(CAST("k__shipment_id" AS VARCHAR), '') AS "_key", "k__shipment_id" AS "_k0" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE AND "l___here" UNION ALL SELECT 'carrier-delivery-not-in-tms' AS exception_type, coalesce(CAST("k__shipment_id" AS VARCHAR), '') AS "_key", "k__shipment_id" AS "_k0" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE AND "l___here"
  ) AS w
),
"lineage_left" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS left_rows
  FROM "lineage_left_keys" AS f
  JOIN (SELECT * FROM "l_rows" WHERE "k__shipment_id" IN (SELECT "_k0" FROM "lineage_left_keys") OR "k__shipment_id" IS NULL) AS x ON x."k__shipment_id" IS NOT DISTINCT FROM f."_k0"
  GROUP BY f.exception_type, f."_key"
),
"lineage_right_keys" AS (
  SELECT DISTINCT * FROM (
    SELECT 'carrier-status-unknown-shipment' AS exception_type, coalesce(CAST("k__shipment_id" AS VARCHAR), '') AS "_key", "k__shipment_id" AS "_k0" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE AND "r___here" UNION ALL SELECT 'carrier-delivery-not-in-tms' AS exception_type, coalesce(CAST("k__shipment_id" AS VARCHAR), '') AS "_key", "k__shipment_id" AS "_k0" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE AND "r___here"
  ) AS w
),
"lineage_right" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS right_rows
  FROM "lineage_right_keys" AS f
  JOIN (SELECT * FROM "r_rows" WHERE "k__shipment_id" IN (SELECT "_k0" FROM "lineage_right_keys") OR "k__shipment_id" IS NULL) AS x ON x."k__shipment_id" IS NOT DISTINCT FROM f."_k0"
  GROUP BY f.exception_type, f."_key"
),
"found_rows" AS (
  SELECT found.*, "lineage_left".left_rows, "lineage_right".right_rows
  FROM found LEFT JOIN "lineage_left" ON "lineage_left".exception_type = found.exception_type AND "lineage_left"."_key" = found."_key" LEFT JOIN "lineage_right" ON "lineage_right".exception_type = found.exception_type AND "lineage_right"."_key" = found."_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('carrier-status-matches-tms' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'carrier-status-matches-tms' AS rule_id, 'transport' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found_rows
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'shipment ' || coalesce(CAST("shipment_id" AS VARCHAR), '-') || ': a carrier''s 214 reports a delivery, the TMS has no such shipment' WHEN 1 THEN 'shipment ' || coalesce(CAST("shipment_id" AS VARCHAR), '-') || ': the carrier''s 214 reports it delivered at ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ', the TMS has ' || coalesce(CAST("right_value" AS VARCHAR), '-') END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
