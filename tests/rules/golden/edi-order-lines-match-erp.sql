WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "line_no" AS "k__line_no", "customer_id", "customer_name", "qty", "unit_price", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM (SELECT b.*, lk0."customer_po" AS "customer_po", lk0."customer_id" AS "customer_id", lk0."customer_name" AS "customer_name" FROM "edi"."order_lines" AS b LEFT JOIN (SELECT "order_id", "partner_id", min("customer_po") AS "customer_po", min("customer_id") AS "customer_id", min("customer_name") AS "customer_name" FROM "edi"."orders" GROUP BY "order_id", "partner_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."partner_id" IS NOT DISTINCT FROM b."partner_id") AS t
  WHERE COALESCE("transaction_set", '850') = '850'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "line_no" AS "k__line_no", "currency", "customer_id", "customer_name", "item_id", "order_id", "qty", "site", "unit_price", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM (SELECT b.*, lk0."customer_po" AS "customer_po", lk0."customer_id" AS "customer_id", lk0."customer_name" AS "customer_name" FROM "erp"."order_lines" AS b LEFT JOIN (SELECT "order_id", min("customer_po") AS "customer_po", min("customer_id") AS "customer_id", min("customer_name") AS "customer_name" FROM "erp"."orders" GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id") AS t
),
"l_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "l_rows"
),
"r_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "r_rows"
),
"cand" AS (
  SELECT l."k__customer_po" AS "k__customer_po", l."k__line_no" AS "k__line_no", l."customer_id" AS "l__customer_id", l."customer_name" AS "l__customer_name", l."qty" AS "l__qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", l."_id" AS "l___id", l."_row" AS "l___row", r."currency" AS "r__currency", r."customer_id" AS "r__customer_id", r."customer_name" AS "r__customer_name", r."item_id" AS "r__item_id", r."order_id" AS "r__order_id", r."qty" AS "r__qty", r."site" AS "r__site", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", r."_id" AS "r___id", r."_row" AS "r___row"
  FROM "l_side" AS l JOIN "r_side" AS r ON l."k__customer_po" IS NOT DISTINCT FROM r."k__customer_po" AND l."k__line_no" IS NOT DISTINCT FROM r."k__line_no"
),
"cand_scored" AS (
  SELECT *, CASE WHEN NOT coalesce("_s0" IS NOT NULL, FALSE) THEN recon_rf_token_set_ratio(CAST("l__customer_name" AS VARCHAR), CAST("r__customer_name" AS VARCHAR)) END AS "_s1"
  FROM (SELECT *, CASE WHEN ("l__customer_id") IS NOT NULL AND ("l__customer_id") = ("r__customer_id") THEN 100.0 END AS "_s0"
  FROM "cand") AS "s0"
),
"c0" AS (
  SELECT *, count(*) OVER (PARTITION BY "l___id", "_level", "_score") AS "_ties_l", count(*) OVER (PARTITION BY "r___id", "_level", "_score") AS "_ties_r"
  FROM (SELECT *, CASE WHEN "_s0" IS NOT NULL THEN 1 WHEN "_s1" >= 70 THEN 2 END AS "_level", CASE WHEN "_s0" IS NOT NULL THEN "_s0" WHEN "_s1" >= 70 THEN "_s1" END AS "_score" FROM "cand_scored" WHERE "_s0" IS NOT NULL OR "_s1" >= 70) AS s
),
"l_multi" AS (
  SELECT "l___id" FROM "c0" GROUP BY "l___id" HAVING count(*) > 1
),
"r_multi" AS (
  SELECT "r___id" FROM "c0" GROUP BY "r___id" HAVING count(*) > 1
),
"m1" AS (
  SELECT "k__customer_po", "k__line_no", "l__customer_id", "l__customer_name", "l__qty", "l__unit_price", "l___event", "l___here", "l___id", "l___row", "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c0" WHERE coalesce("l___id" NOT IN (SELECT "l___id" FROM "l_multi") AND "r___id" NOT IN (SELECT "r___id" FROM "r_multi"), FALSE)
  UNION ALL
  SELECT "k__customer_po", "k__line_no", "l__customer_id", "l__customer_name", "l__qty", "l__unit_price", "l___event", "l___here", "l___id", "l___row", "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c0" WHERE NOT coalesce("l___id" NOT IN (SELECT "l___id" FROM "l_multi") AND "r___id" NOT IN (SELECT "r___id" FROM "r_multi"), FALSE)
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__qty", "l__unit_price", "l___id") = 1
),
"c1" AS (
  SELECT * FROM "c0"
  WHERE "l___id" NOT IN (SELECT "l___id" FROM "m1") AND "r___id" NOT IN (SELECT "r___id" FROM "m1")
),
"m2" AS (
  SELECT "k__customer_po", "k__line_no", "l__customer_id", "l__customer_name", "l__qty", "l__unit_price", "l___event", "l___here", "l___id", "l___row", "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c1"
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__qty", "l__unit_price", "l___id") = 1
),
"c2" AS (
  SELECT * FROM "c1"
  WHERE "l___id" NOT IN (SELECT "l___id" FROM "m2") AND "r___id" NOT IN (SELECT "r___id" FROM "m2")
),
"m3" AS (
  SELECT "k__customer_po", "k__line_no", "l__customer_id", "l__customer_name", "l__qty", "l__unit_price", "l___event", "l___here", "l___id", "l___row", "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c2"
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__qty", "l__unit_price", "l___id") = 1
),
"matched" AS (
  SELECT * FROM "m1"
  UNION ALL SELECT * FROM "m2"
  UNION ALL SELECT * FROM "m3"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0", ((("l__unit_price") IS NULL AND ("r__unit_price") IS NULL) OR (("l__unit_price") IS NOT NULL AND ("r__unit_price") IS NOT NULL AND (abs(("l__unit_price") - ("r__unit_price")) <= 0.01))) AS "_ok1" FROM (
  SELECT "k__customer_po", "k__line_no", "l__customer_id", "l__customer_name", "l__qty", "l__unit_price", "l___event", "l___here", "l___id", "l___row", "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___event", "r___here", "r___id", "r___row", "_ties_l" > 1 OR "_ties_r" > 1 AS "_ambiguous" FROM "matched"
  UNION ALL SELECT l."k__customer_po", l."k__line_no", l."customer_id" AS "l__customer_id", l."customer_name" AS "l__customer_name", l."qty" AS "l__qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", l."_id" AS "l___id", l."_row" AS "l___row", CAST(NULL AS VARCHAR) AS "r__currency", CAST(NULL AS VARCHAR) AS "r__customer_id", CAST(NULL AS VARCHAR) AS "r__customer_name", CAST(NULL AS VARCHAR) AS "r__item_id", CAST(NULL AS VARCHAR) AS "r__order_id", CAST(NULL AS DECIMAL(18,4)) AS "r__qty", CAST(NULL AS VARCHAR) AS "r__site", CAST(NULL AS DECIMAL(18,4)) AS "r__unit_price", CAST(NULL AS TIMESTAMPTZ) AS "r___event", CAST(NULL AS BOOLEAN) AS "r___here", CAST(NULL AS VARCHAR) AS "r___id", CAST(NULL AS STRUCT(f VARCHAR, r BIGINT)) AS "r___row", FALSE FROM "l_side" AS l WHERE l."_id" NOT IN (SELECT "l___id" FROM "matched")
  UNION ALL SELECT r."k__customer_po", r."k__line_no", CAST(NULL AS VARCHAR) AS "l__customer_id", CAST(NULL AS VARCHAR) AS "l__customer_name", CAST(NULL AS DECIMAL(18,4)) AS "l__qty", CAST(NULL AS DECIMAL(18,4)) AS "l__unit_price", CAST(NULL AS TIMESTAMPTZ) AS "l___event", CAST(NULL AS BOOLEAN) AS "l___here", CAST(NULL AS VARCHAR) AS "l___id", CAST(NULL AS STRUCT(f VARCHAR, r BIGINT)) AS "l___row", r."currency" AS "r__currency", r."customer_id" AS "r__customer_id", r."customer_name" AS "r__customer_name", r."item_id" AS "r__item_id", r."order_id" AS "r__order_id", r."qty" AS "r__qty", r."site" AS "r__site", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", r."_id" AS "r___id", r."_row" AS "r___row", FALSE FROM "r_side" AS r WHERE r."_id" NOT IN (SELECT "r___id" FROM "matched")
  ) AS p
),
"findings" AS (
  SELECT 0 AS "_outcome", 'edi-order-qty-mismatch' AS exception_type, 'high' AS severity, 'operations' AS owner, 'erp' AS fix_in, CAST("r__order_id" AS VARCHAR) AS "order_id", CAST("k__line_no" AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST("r__item_id" AS VARCHAR) AS "item_id", CAST("r__site" AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST("k__customer_po" AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('qty' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(CAST(("l__qty") - ("r__qty") AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round(ABS("l__qty" - "r__qty") * "r__unit_price", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("r__currency" AS VARCHAR) AS currency, CAST(NULL AS TIMESTAMPTZ) AS event_at, CAST("l___row" AS STRUCT(f VARCHAR, r BIGINT)) AS left_rows, CAST("r___row" AS STRUCT(f VARCHAR, r BIGINT)) AS right_rows, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE
  UNION ALL
  SELECT 1 AS "_outcome", 'edi-order-price-mismatch' AS exception_type, 'high' AS severity, 'finance' AS owner, 'erp' AS fix_in, CAST("r__order_id" AS VARCHAR) AS "order_id", CAST("k__line_no" AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST("r__item_id" AS VARCHAR) AS "item_id", CAST("r__site" AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST("k__customer_po" AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('unit_price' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__unit_price" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__unit_price" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(CAST(("l__unit_price") - ("r__unit_price") AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round(ABS("l__unit_price" - "r__unit_price") * "r__qty", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("r__currency" AS VARCHAR) AS currency, CAST(NULL AS TIMESTAMPTZ) AS event_at, CAST("l___row" AS STRUCT(f VARCHAR, r BIGINT)) AS left_rows, CAST("r___row" AS STRUCT(f VARCHAR, r BIGINT)) AS right_rows, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok1" AND TRUE
),
"per_outcome" AS (
  SELECT "_outcome", exception_type, severity, owner, fix_in, "_key", field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(left_value) AS left_value, min(right_value) AS right_value, sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, min(event_at) AS event_at, list_distinct(list(left_rows)) AS left_rows, list_distinct(list(right_rows)) AS right_rows, count(*) AS "_n"
  FROM findings GROUP BY "_outcome", exception_type, severity, owner, fix_in, "_key", field
),
"found" AS (
  SELECT min("_outcome") AS "_outcome", exception_type, "_key", first(severity ORDER BY "_outcome") AS severity, first(owner ORDER BY "_outcome") AS owner, first(fix_in ORDER BY "_outcome") AS fix_in, first(left_value ORDER BY "_outcome") AS left_value, first(right_value ORDER BY "_outcome") AS right_value, first(difference ORDER BY "_outcome") AS difference, first(value_at_risk ORDER BY "_outcome") AS value_at_risk, first(currency ORDER BY "_outcome") AS currency, string_agg(field, ', ' ORDER BY "_outcome") AS field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(event_at) AS event_at, list_sort(list_distinct(flatten(list(left_rows)))) AS left_rows, list_sort(list_distinct(flatten(list(right_rows)))) AS right_rows, sum("_n") AS "_n"
  FROM per_outcome GROUP BY exception_type, "_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('edi-order-lines-match-erp' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'edi-order-lines-match-erp' AS rule_id, 'edi' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'PO ' || coalesce(CAST("customer_po" AS VARCHAR), '-') || ' line ' || coalesce(CAST("line_no" AS VARCHAR), '-') || ': the 850 orders ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ', the ERP order has ' || coalesce(CAST("right_value" AS VARCHAR), '-') WHEN 1 THEN 'PO ' || coalesce(CAST("customer_po" AS VARCHAR), '-') || ' line ' || coalesce(CAST("line_no" AS VARCHAR), '-') || ': the 850 prices ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ', the ERP order ' || coalesce(CAST("right_value" AS VARCHAR), '-') END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
