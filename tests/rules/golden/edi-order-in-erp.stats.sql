WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "customer_id", "customer_name", "po_currency", "po_value", "site", CAST(TIMEZONE('UTC', CAST("received_at" AS TIMESTAMP)) AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM (SELECT b.*, lk0."received_at" AS "received_at", lk1."po_value" AS "po_value", lk1."po_currency" AS "po_currency" FROM "edi"."orders" AS b LEFT JOIN (SELECT "partner_id", "transaction_set", "interchange_control", "control_number", min("sent_at") AS "received_at" FROM "edi"."edi_documents" GROUP BY "partner_id", "transaction_set", "interchange_control", "control_number") AS lk0 ON lk0."partner_id" IS NOT DISTINCT FROM b."partner_id" AND lk0."transaction_set" IS NOT DISTINCT FROM b."transaction_set" AND lk0."interchange_control" IS NOT DISTINCT FROM b."_interchange_control" AND lk0."control_number" IS NOT DISTINCT FROM b."_set_control" LEFT JOIN (SELECT "partner_id", "order_id", "_interchange_control", "_set_control", SUM("qty" * "unit_price") AS "po_value", min("currency") AS "po_currency" FROM "edi"."order_lines" GROUP BY "partner_id", "order_id", "_interchange_control", "_set_control") AS lk1 ON lk1."partner_id" IS NOT DISTINCT FROM b."partner_id" AND lk1."order_id" IS NOT DISTINCT FROM b."order_id" AND lk1."_interchange_control" IS NOT DISTINCT FROM b."_interchange_control" AND lk1."_set_control" IS NOT DISTINCT FROM b."_set_control") AS t
  WHERE COALESCE("transaction_set", '850') = '850'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "customer_id", "customer_name", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM "erp"."orders" AS t
  WHERE NOT "customer_po" IS NULL
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
  SELECT l."k__customer_po" AS "k__customer_po", l."customer_id" AS "l__customer_id", l."customer_name" AS "l__customer_name", l."po_currency" AS "l__po_currency", l."po_value" AS "l__po_value", l."site" AS "l__site", l."_event" AS "l___event", l."_here" AS "l___here", l."_id" AS "l___id", l."_row" AS "l___row", r."customer_id" AS "r__customer_id", r."customer_name" AS "r__customer_name", r."_event" AS "r___event", r."_here" AS "r___here", r."_id" AS "r___id", r."_row" AS "r___row"
  FROM "l_side" AS l JOIN "r_side" AS r ON l."k__customer_po" IS NOT DISTINCT FROM r."k__customer_po"
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
  SELECT "k__customer_po", "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___event", "l___here", "l___id", "l___row", "r__customer_id", "r__customer_name", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c0" WHERE coalesce("l___id" NOT IN (SELECT "l___id" FROM "l_multi") AND "r___id" NOT IN (SELECT "r___id" FROM "r_multi"), FALSE)
  UNION ALL
  SELECT "k__customer_po", "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___event", "l___here", "l___id", "l___row", "r__customer_id", "r__customer_name", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c0" WHERE NOT coalesce("l___id" NOT IN (SELECT "l___id" FROM "l_multi") AND "r___id" NOT IN (SELECT "r___id" FROM "r_multi"), FALSE)
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__customer_id", "r__customer_name", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___id") = 1
),
"c1" AS (
  SELECT * FROM "c0"
  WHERE "l___id" NOT IN (SELECT "l___id" FROM "m1") AND "r___id" NOT IN (SELECT "r___id" FROM "m1")
),
"m2" AS (
  SELECT "k__customer_po", "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___event", "l___here", "l___id", "l___row", "r__customer_id", "r__customer_name", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c1"
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__customer_id", "r__customer_name", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___id") = 1
),
"c2" AS (
  SELECT * FROM "c1"
  WHERE "l___id" NOT IN (SELECT "l___id" FROM "m2") AND "r___id" NOT IN (SELECT "r___id" FROM "m2")
),
"m3" AS (
  SELECT "k__customer_po", "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___event", "l___here", "l___id", "l___row", "r__customer_id", "r__customer_name", "r___event", "r___here", "r___id", "r___row", "_ties_l", "_ties_r" FROM "c2"
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__customer_id", "r__customer_name", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___id") = 1
),
"matched" AS (
  SELECT * FROM "m1"
  UNION ALL SELECT * FROM "m2"
  UNION ALL SELECT * FROM "m3"
),
"pairs" AS (
  SELECT "k__customer_po", "l__customer_id", "l__customer_name", "l__po_currency", "l__po_value", "l__site", "l___event", "l___here", "l___id", "l___row", "r__customer_id", "r__customer_name", "r___event", "r___here", "r___id", "r___row", "_ties_l" > 1 OR "_ties_r" > 1 AS "_ambiguous" FROM "matched"
  UNION ALL SELECT l."k__customer_po", l."customer_id" AS "l__customer_id", l."customer_name" AS "l__customer_name", l."po_currency" AS "l__po_currency", l."po_value" AS "l__po_value", l."site" AS "l__site", l."_event" AS "l___event", l."_here" AS "l___here", l."_id" AS "l___id", l."_row" AS "l___row", CAST(NULL AS VARCHAR) AS "r__customer_id", CAST(NULL AS VARCHAR) AS "r__customer_name", CAST(NULL AS TIMESTAMPTZ) AS "r___event", CAST(NULL AS BOOLEAN) AS "r___here", CAST(NULL AS VARCHAR) AS "r___id", CAST(NULL AS STRUCT(f VARCHAR, r BIGINT)) AS "r___row", FALSE FROM "l_side" AS l WHERE l."_id" NOT IN (SELECT "l___id" FROM "matched")
  UNION ALL SELECT r."k__customer_po", CAST(NULL AS VARCHAR) AS "l__customer_id", CAST(NULL AS VARCHAR) AS "l__customer_name", CAST(NULL AS VARCHAR) AS "l__po_currency", CAST(NULL AS DECIMAL(18,4)) AS "l__po_value", CAST(NULL AS VARCHAR) AS "l__site", CAST(NULL AS TIMESTAMPTZ) AS "l___event", CAST(NULL AS BOOLEAN) AS "l___here", CAST(NULL AS VARCHAR) AS "l___id", CAST(NULL AS STRUCT(f VARCHAR, r BIGINT)) AS "l___row", r."customer_id" AS "r__customer_id", r."customer_name" AS "r__customer_name", r."_event" AS "r___event", r."_here" AS "r___here", r."_id" AS "r___id", r."_row" AS "r___row", FALSE FROM "r_side" AS r WHERE r."_id" NOT IN (SELECT "r___id" FROM "matched")
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", bool_and("l___here" IS NOT NULL AND "r___here" IS NOT NULL) AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
  GROUP BY "k__customer_po"
) AS checked
