WITH
"l_rows" AS (
  SELECT "order_id" AS "k__order_id", "order_value", "site", CAST("released_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."order_value" AS "order_value" FROM "erp"."orders" AS b LEFT JOIN (SELECT "order_id", SUM("qty" * "unit_price") AS "order_value" FROM "erp"."order_lines" WHERE COALESCE("status", '') <> 'CANCELLED' GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id") AS t
  WHERE NOT "released_at" IS NULL AND COALESCE("status", '') <> 'CANCELLED'
),
"r_rows" AS (
  SELECT "order_id" AS "k__order_id", "qty", CAST(NULL AS TIMESTAMPTZ) AS "_event"
  FROM "wms"."shipment_lines" AS t
  WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status")
),
"l_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "l_rows"
),
"r_side" AS (
  SELECT "k__order_id", sum("qty") AS "qty", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__order_id"
),
"pairs" AS (
  SELECT coalesce(l."k__order_id", r."k__order_id") AS "k__order_id", l."order_value" AS "l__order_value", l."site" AS "l__site", l."_event" AS "l___event", l."_here" AS "l___here", l."_row" AS "l___row", r."qty" AS "r__qty", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__order_id" IS NOT DISTINCT FROM r."k__order_id"
),
"findings" AS (
  SELECT 0 AS "_outcome", 'order-stuck-after-release' AS exception_type, 'medium' AS severity, 'operations' AS owner, 'wms' AS fix_in, CAST("k__order_id" AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST("l__site" AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST(NULL AS VARCHAR) AS field, CAST(NULL AS VARCHAR) AS left_value, CAST(NULL AS VARCHAR) AS right_value, CAST(NULL AS DECIMAL(18,4)) AS difference, CAST(round("l__order_value", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST('USD' AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, CAST("l___row" AS STRUCT(f VARCHAR, r BIGINT)) AS left_rows, coalesce(CAST("k__order_id" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND (CAST("l___event" AS TIMESTAMPTZ) < CAST($as_of AS TIMESTAMPTZ) - INTERVAL 172800 SECOND)
),
"per_outcome" AS (
  SELECT "_outcome", exception_type, severity, owner, fix_in, "_key", field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(left_value) AS left_value, min(right_value) AS right_value, sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, min(event_at) AS event_at, list_distinct(list(left_rows)) AS left_rows, count(*) AS "_n"
  FROM findings GROUP BY "_outcome", exception_type, severity, owner, fix_in, "_key", field
),
"found" AS (
  SELECT min("_outcome") AS "_outcome", exception_type, "_key", first(severity ORDER BY "_outcome") AS severity, first(owner ORDER BY "_outcome") AS owner, first(fix_in ORDER BY "_outcome") AS fix_in, first(left_value ORDER BY "_outcome") AS left_value, first(right_value ORDER BY "_outcome") AS right_value, first(difference ORDER BY "_outcome") AS difference, first(value_at_risk ORDER BY "_outcome") AS value_at_risk, first(currency ORDER BY "_outcome") AS currency, string_agg(field, ', ' ORDER BY "_outcome") AS field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(event_at) AS event_at, list_sort(list_distinct(flatten(list(left_rows)))) AS left_rows, sum("_n") AS "_n"
  FROM per_outcome GROUP BY exception_type, "_key"
),
"lineage_right" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS right_rows
  FROM (SELECT DISTINCT * FROM (
    SELECT 'order-stuck-after-release' AS exception_type, coalesce(CAST("k__order_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND (CAST("l___event" AS TIMESTAMPTZ) < CAST($as_of AS TIMESTAMPTZ) - INTERVAL 172800 SECOND) AND "r___here"
  ) AS w) AS f
  JOIN (SELECT "order_id" AS "k__order_id", {'f': "_source_file", 'r': "_source_row"} AS "_row" FROM "wms"."shipment_lines" AS t WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status")) AS x ON x."k__order_id" IS NOT DISTINCT FROM f."_k0"
  GROUP BY f.exception_type, f."_key"
),
"found_rows" AS (
  SELECT found.*, "lineage_right".right_rows
  FROM found LEFT JOIN "lineage_right" ON "lineage_right".exception_type = found.exception_type AND "lineage_right"."_key" = found."_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('released-order-ships' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'released-order-ships' AS rule_id, 'order-to-cash' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found_rows
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'order ' || coalesce(CAST("order_id" AS VARCHAR), '-') || ' was released ' || coalesce(CAST("age_hours" AS VARCHAR), '-') || 'h ago and nothing has shipped' END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
