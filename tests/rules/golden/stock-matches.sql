WITH
"l_rows" AS (
  SELECT "item_id" AS "k__item_id", "site" AS "k__site", CASE WHEN 'compare' = 'compare' THEN "lot" END AS "k__lot", "currency", "qty", "unit_price", CAST("as_of" AS TIMESTAMPTZ) AS "_event"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "erp"."stock" AS b LEFT JOIN (SELECT "item_id", MAX("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "item_id") AS lk0 ON lk0."item_id" IS NOT DISTINCT FROM b."item_id") AS t
),
"r_rows" AS (
  SELECT "item_id" AS "k__item_id", "site" AS "k__site", CASE WHEN 'compare' = 'compare' THEN "lot" END AS "k__lot", "currency", "qty", "unit_price", CAST("as_of" AS TIMESTAMPTZ) AS "_event"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency" FROM "wms"."stock" AS b LEFT JOIN (SELECT "item_id", MAX("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "item_id") AS lk0 ON lk0."item_id" IS NOT DISTINCT FROM b."item_id") AS t
),
"l_side" AS (
  SELECT "k__item_id", "k__site", "k__lot", sum("qty") AS "qty", max("unit_price") AS "unit_price", min("currency") AS "currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__item_id", "k__site", "k__lot"
),
"r_side" AS (
  SELECT "k__item_id", "k__site", "k__lot", sum("qty") AS "qty", max("unit_price") AS "unit_price", min("currency") AS "currency", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__item_id", "k__site", "k__lot"
),
"pairs" AS (
  SELECT *, ((((CASE WHEN "l___here" IS NULL THEN 0 ELSE "l__qty" END)) IS NULL AND ((CASE WHEN "r___here" IS NULL THEN 0 ELSE "r__qty" END)) IS NULL) OR (((CASE WHEN "l___here" IS NULL THEN 0 ELSE "l__qty" END)) IS NOT NULL AND ((CASE WHEN "r___here" IS NULL THEN 0 ELSE "r__qty" END)) IS NOT NULL AND (abs(((CASE WHEN "l___here" IS NULL THEN 0 ELSE "l__qty" END)) - ((CASE WHEN "r___here" IS NULL THEN 0 ELSE "r__qty" END))) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__item_id", r."k__item_id") AS "k__item_id", coalesce(l."k__site", r."k__site") AS "k__site", coalesce(l."k__lot", r."k__lot") AS "k__lot", l."currency" AS "l__currency", l."qty" AS "l__qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", r."currency" AS "r__currency", r."qty" AS "r__qty", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__item_id" IS NOT DISTINCT FROM r."k__item_id" AND l."k__site" IS NOT DISTINCT FROM r."k__site" AND l."k__lot" IS NOT DISTINCT FROM r."k__lot"
  ) AS p
),
"findings" AS (
  SELECT 0 AS "_outcome", 'stock-variance' AS exception_type, 'medium' AS severity, 'operations' AS owner, 'erp' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST("k__item_id" AS VARCHAR) AS "item_id", CAST("k__site" AS VARCHAR) AS "site", CAST("k__lot" AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('qty' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST((CASE WHEN "l___here" IS NULL THEN 0 ELSE "l__qty" END) AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST((CASE WHEN "r___here" IS NULL THEN 0 ELSE "r__qty" END) AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(CAST(((CASE WHEN "l___here" IS NULL THEN 0 ELSE "l__qty" END)) - ((CASE WHEN "r___here" IS NULL THEN 0 ELSE "r__qty" END)) AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round(ABS("l__qty" - "r__qty") * COALESCE("l__unit_price", "r__unit_price"), 2) AS DECIMAL(18,2)) AS value_at_risk, CAST(COALESCE("l__currency", "r__currency") AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__item_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__site" AS VARCHAR), '') || '|' || coalesce(CAST("k__lot" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE TRUE AND NOT "_ok0" AND TRUE
),
"per_outcome" AS (
  SELECT "_outcome", exception_type, severity, owner, fix_in, "_key", field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(left_value) AS left_value, min(right_value) AS right_value, sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, min(event_at) AS event_at, count(*) AS "_n"
  FROM findings GROUP BY "_outcome", exception_type, severity, owner, fix_in, "_key", field
),
"found" AS (
  SELECT min("_outcome") AS "_outcome", exception_type, "_key", first(severity ORDER BY "_outcome") AS severity, first(owner ORDER BY "_outcome") AS owner, first(fix_in ORDER BY "_outcome") AS fix_in, first(left_value ORDER BY "_outcome") AS left_value, first(right_value ORDER BY "_outcome") AS right_value, first(difference ORDER BY "_outcome") AS difference, first(value_at_risk ORDER BY "_outcome") AS value_at_risk, first(currency ORDER BY "_outcome") AS currency, string_agg(field, ', ' ORDER BY "_outcome") AS field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(event_at) AS event_at, sum("_n") AS "_n"
  FROM per_outcome GROUP BY exception_type, "_key"
),
"lineage_left" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS left_rows
  FROM (SELECT DISTINCT * FROM (
    SELECT 'stock-variance' AS exception_type, coalesce(CAST("k__item_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__site" AS VARCHAR), '') || '|' || coalesce(CAST("k__lot" AS VARCHAR), '') AS "_key", "k__item_id" AS "_k0", "k__site" AS "_k1", "k__lot" AS "_k2" FROM "pairs" WHERE TRUE AND NOT "_ok0" AND TRUE AND "l___here"
  ) AS w) AS f
  JOIN (SELECT "item_id" AS "k__item_id", "site" AS "k__site", CASE WHEN 'compare' = 'compare' THEN "lot" END AS "k__lot", {'f': "_source_file", 'r': "_source_row"} AS "_row" FROM "erp"."stock" AS t) AS x ON x."k__item_id" IS NOT DISTINCT FROM f."_k0" AND x."k__site" IS NOT DISTINCT FROM f."_k1" AND x."k__lot" IS NOT DISTINCT FROM f."_k2"
  GROUP BY f.exception_type, f."_key"
),
"lineage_right" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS right_rows
  FROM (SELECT DISTINCT * FROM (
    SELECT 'stock-variance' AS exception_type, coalesce(CAST("k__item_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__site" AS VARCHAR), '') || '|' || coalesce(CAST("k__lot" AS VARCHAR), '') AS "_key", "k__item_id" AS "_k0", "k__site" AS "_k1", "k__lot" AS "_k2" FROM "pairs" WHERE TRUE AND NOT "_ok0" AND TRUE AND "r___here"
  ) AS w) AS f
  JOIN (SELECT "item_id" AS "k__item_id", "site" AS "k__site", CASE WHEN 'compare' = 'compare' THEN "lot" END AS "k__lot", {'f': "_source_file", 'r': "_source_row"} AS "_row" FROM "wms"."stock" AS t) AS x ON x."k__item_id" IS NOT DISTINCT FROM f."_k0" AND x."k__site" IS NOT DISTINCT FROM f."_k1" AND x."k__lot" IS NOT DISTINCT FROM f."_k2"
  GROUP BY f.exception_type, f."_key"
),
"found_rows" AS (
  SELECT found.*, "lineage_left".left_rows, "lineage_right".right_rows
  FROM found LEFT JOIN "lineage_left" ON "lineage_left".exception_type = found.exception_type AND "lineage_left"."_key" = found."_key" LEFT JOIN "lineage_right" ON "lineage_right".exception_type = found.exception_type AND "lineage_right"."_key" = found."_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('stock-matches' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'stock-matches' AS rule_id, 'inventory' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found_rows
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'item ' || coalesce(CAST("item_id" AS VARCHAR), '-') || ' at ' || coalesce(CAST("site" AS VARCHAR), '-') || ' lot ' || coalesce(CAST("lot" AS VARCHAR), '-') || ': ERP ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ', WMS ' || coalesce(CAST("right_value" AS VARCHAR), '-') END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
