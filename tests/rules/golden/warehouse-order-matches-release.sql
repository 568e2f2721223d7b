WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("order_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__order_id", "item_id" AS "k__item_id", "erp_currency", "erp_price", "qty", "unit_price", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."erp_price" AS "erp_price", lk0."erp_currency" AS "erp_currency" FROM "edi"."order_lines" AS b LEFT JOIN (SELECT "order_id", "item_id", MAX("unit_price") AS "erp_price", min("currency") AS "erp_currency" FROM "erp"."order_lines" GROUP BY "order_id", "item_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."item_id" IS NOT DISTINCT FROM b."item_id") AS t
  WHERE "transaction_set" = '940'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("order_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__order_id", "item_id" AS "k__item_id", "currency", "qty", "site", "unit_price", CAST("released_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."released_at" AS "released_at" FROM "erp"."order_lines" AS b LEFT JOIN (SELECT "order_id", min("released_at") AS "released_at" FROM "erp"."orders" GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id") AS t
  WHERE COALESCE("status", '') <> 'CANCELLED' AND NOT "released_at" IS NULL
),
"l_side" AS (
  SELECT "k__order_id", "k__item_id", sum("qty") AS "qty", max("unit_price") AS "unit_price", max("erp_price") AS "erp_price", min("erp_currency") AS "erp_currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__order_id", "k__item_id"
),
"r_side" AS (
  SELECT "k__order_id", "k__item_id", sum("qty") AS "qty", max("unit_price") AS "unit_price", min("currency") AS "currency", min("site") AS "site", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__order_id", "k__item_id"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__order_id", r."k__order_id") AS "k__order_id", coalesce(l."k__item_id", r."k__item_id") AS "k__item_id", l."erp_currency" AS "l__erp_currency", l."erp_price" AS "l__erp_price", l."qty" AS "l__qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", r."currency" AS "r__currency", r."qty" AS "r__qty", r."site" AS "r__site", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__order_id" IS NOT DISTINCT FROM r."k__order_id" AND l."k__item_id" IS NOT DISTINCT FROM r."k__item_id"
  ) AS p
),
"findings" AS (
  SELECT 0 AS "_outcome", 'warehouse-order-not-released' AS exception_type, 'high' AS severity, 'operations' AS owner, 'edi' AS fix_in, CAST("k__order_id" AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST("k__item_id" AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('qty' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(NULL AS DECIMAL(18,4)) AS difference, CAST(round("l__qty" * COALESCE("l__erp_price", "l__unit_price"), 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("l__erp_currency" AS VARCHAR) AS currency, CAST("r___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE
  UNION ALL
  SELECT 1 AS "_outcome", 'warehouse-order-qty-mismatch' AS exception_type, 'high' AS severity, 'operations' AS owner, 'edi' AS fix_in, CAST("k__order_id" AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST("k__item_id" AS VARCHAR) AS "item_id", CAST("r__site" AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('qty' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(CAST(("l__qty") - ("r__qty") AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round(ABS("l__qty" - "r__qty") * "r__unit_price", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("r__currency" AS VARCHAR) AS currency, CAST("r___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key"
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
    SELECT 'warehouse-order-not-released' AS exception_type, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0", "k__item_id" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE AND "l___here" UNION ALL SELECT 'warehouse-order-qty-mismatch' AS exception_type, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0", "k__item_id" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE AND "l___here"
  ) AS w
),
"lineage_left" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS left_rows
  FROM "lineage_left_keys" AS f
  JOIN (SELECT * FROM "l_rows" WHERE "k__order_id" IN (SELECT "_k0" FROM "lineage_left_keys") OR "k__order_id" IS NULL) AS x ON x."k__order_id" IS NOT DISTINCT FROM f."_k0" AND x."k__item_id" IS NOT DISTINCT FROM f."_k1"
  GROUP BY f.exception_type, f."_key"
),
"lineage_right_keys" AS (
  SELECT DISTINCT * FROM (
    SELECT 'warehouse-order-not-released' AS exception_type, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0", "k__item_id" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE AND "r___here" UNION ALL SELECT 'warehouse-order-qty-mismatch' AS exception_type, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0", "k__item_id" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE AND "r___here"
  ) AS w
),
"lineage_right" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS right_rows
  FROM "lineage_right_keys" AS f
  JOIN (SELECT * FROM "r_rows" WHERE "k__order_id" IN (SELECT "_k0" FROM "lineage_right_keys") OR "k__order_id" IS NULL) AS x ON x."k__order_id" IS NOT DISTINCT FROM f."_k0" AND x."k__item_id" IS NOT DISTINCT FROM f."_k1"
  GROUP BY f.exception_type, f."_key"
),
"found_rows" AS (
  SELECT found.*, "lineage_left".left_rows, "lineage_right".right_rows
  FROM found LEFT JOIN "lineage_left" ON "lineage_left".exception_type = found.exception_type AND "lineage_left"."_key" = found."_key" LEFT JOIN "lineage_right" ON "lineage_right".exception_type = found.exception_type AND "lineage_right"."_key" = found."_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('warehouse-order-matches-release' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'warehouse-order-matches-release' AS rule_id, 'edi' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found_rows
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'order ' || coalesce(CAST("order_id" AS VARCHAR), '-') || ' item ' || coalesce(CAST("item_id" AS VARCHAR), '-') || ': our 940 asks the warehouse to ship it, the ERP has no released open line for it' WHEN 1 THEN 'order ' || coalesce(CAST("order_id" AS VARCHAR), '-') || ' item ' || coalesce(CAST("item_id" AS VARCHAR), '-') || ': our 940 asks the warehouse for ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ', the ERP released ' || coalesce(CAST("right_value" AS VARCHAR), '-') END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
