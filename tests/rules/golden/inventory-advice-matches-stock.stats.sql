WITH
"uom_conv" AS (
  SELECT item_id, from_uom, to_uom, CASE WHEN min(factor) = max(factor) THEN min(factor) END AS factor
  FROM (SELECT item_id, (CASE from_uom WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE from_uom END) AS from_uom, (CASE to_uom WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE to_uom END) AS to_uom, factor FROM (SELECT trim(CAST(item_id AS VARCHAR)) AS item_id, nullif(upper(trim(CAST(from_uom AS VARCHAR))), '') AS from_uom, nullif(upper(trim(CAST(to_uom AS VARCHAR))), '') AS to_uom, CAST(factor AS DECIMAL(24,10)) AS factor FROM (
    SELECT CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "from_uom", CAST(NULL AS VARCHAR) AS "to_uom", CAST(NULL AS DECIMAL(24,10)) AS "factor" WHERE FALSE
  ) AS c
  WHERE factor > 0) AS t) AS n
  GROUP BY item_id, from_uom, to_uom
),
"uom_base" AS (
  SELECT item_id, CASE WHEN count(DISTINCT to_uom) = 1 THEN min(to_uom) END AS base
  FROM "uom_conv" WHERE item_id <> '*' GROUP BY item_id
),
"l_rows" AS (
  SELECT "item_id" AS "k__item_id", NULLIF(upper(trim(CAST("site" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__site", CASE WHEN "_uom_factor" = 1 THEN CAST("qty" AS DECIMAL(18,4)) ELSE CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) END AS "qty", "_uom", CAST("as_of" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT r.*, f."_uom_factor", f."_uom"
  FROM (SELECT b.*, CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM (SELECT b.*, lk0."latest_as_of" AS "latest_as_of" FROM "edi"."stock" AS b LEFT JOIN (SELECT "item_id", "site", MAX("as_of") AS "latest_as_of" FROM "edi"."stock" GROUP BY "item_id", "site") AS lk0 ON lk0."item_id" IS NOT DISTINCT FROM b."item_id" AND lk0."site" IS NOT DISTINCT FROM b."site") AS b) AS r
  LEFT JOIN (SELECT x."_uom_i", x."_uom_u", coalesce(x."_uom_f", CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN x."_uom_f" IS NULL THEN x."_uom_code" ELSE x."_uom_base" END AS "_uom" FROM (SELECT c.*, CASE WHEN c."_uom_code" = c."_uom_base" THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END AS "_uom_f"
  FROM (SELECT k.*, CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END AS "_uom_base"
  FROM (SELECT t.*, (CASE t."_uom_text" WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE t."_uom_text" END) AS "_uom_code" FROM (SELECT p.*, trim(p."_uom_i") AS "_uom_item", nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') AS "_uom_text" FROM (SELECT DISTINCT CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "edi"."stock" AS b) AS p) AS t) AS k LEFT JOIN "uom_base" AS ub ON ub.item_id = k."_uom_item") AS c
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = c."_uom_base"
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = c."_uom_base") AS x) AS f ON f."_uom_i" IS NOT DISTINCT FROM r."_uom_i" AND f."_uom_u" IS NOT DISTINCT FROM r."_uom_u") AS t
  WHERE "as_of" IS NOT DISTINCT FROM "latest_as_of"
),
"r_rows" AS (
  SELECT "item_id" AS "k__item_id", NULLIF(upper(trim(CAST("site" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__site", CASE WHEN "_uom_factor" = 1 THEN CAST("qty" AS DECIMAL(18,4)) ELSE CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) END AS "qty", "_uom", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT r.*, f."_uom_factor", f."_uom"
  FROM (SELECT b.*, CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "erp"."stock" AS b) AS r
  LEFT JOIN (SELECT x."_uom_i", x."_uom_u", coalesce(x."_uom_f", CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN x."_uom_f" IS NULL THEN x."_uom_code" ELSE x."_uom_base" END AS "_uom" FROM (SELECT c.*, CASE WHEN c."_uom_code" = c."_uom_base" THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END AS "_uom_f"
  FROM (SELECT k.*, CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END AS "_uom_base"
  FROM (SELECT t.*, (CASE t."_uom_text" WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE t."_uom_text" END) AS "_uom_code" FROM (SELECT p.*, trim(p."_uom_i") AS "_uom_item", nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') AS "_uom_text" FROM (SELECT DISTINCT CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "erp"."stock" AS b) AS p) AS t) AS k LEFT JOIN "uom_base" AS ub ON ub.item_id = k."_uom_item") AS c
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = c."_uom_base"
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = c."_uom_base") AS x) AS f ON f."_uom_i" IS NOT DISTINCT FROM r."_uom_i" AND f."_uom_u" IS NOT DISTINCT FROM r."_uom_u") AS t
),
"l_side" AS (
  SELECT g.*, lk1."unit_price" AS "unit_price", lk1."currency" AS "currency"
  FROM (SELECT "k__item_id", "k__site", sum("qty") AS "qty", CASE WHEN min("_uom") = max("_uom") THEN min("_uom") ELSE min("_uom") || '+' || max("_uom") END AS "_uom", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__item_id", "k__site") AS g LEFT JOIN (SELECT "item_id", MAX("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "item_id") AS lk1 ON lk1."item_id" IS NOT DISTINCT FROM g."k__item_id"
),
"r_side" AS (
  SELECT g.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency"
  FROM (SELECT "k__item_id", "k__site", sum("qty") AS "qty", CASE WHEN min("_uom") = max("_uom") THEN min("_uom") ELSE min("_uom") || '+' || max("_uom") END AS "_uom", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__item_id", "k__site") AS g LEFT JOIN (SELECT "item_id", MAX("unit_price") AS "unit_price", min("currency") AS "currency" FROM (SELECT "order_id", "line_no", "item_id", CASE WHEN "_uom_factor" = 1 THEN CAST("qty" AS DECIMAL(18,4)) ELSE CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) END AS "qty", "uom", CAST(CAST("unit_price" AS DECIMAL(18,6)) / "_uom_factor" AS DECIMAL(18,6)) AS "unit_price", "currency", "site", "lot", "status", "_load_id", "_source_file", "_source_row" FROM (SELECT r.*, f."_uom_factor", f."_uom"
  FROM (SELECT b.*, CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "erp"."order_lines" AS b) AS r
  LEFT JOIN (SELECT x."_uom_i", x."_uom_u", coalesce(x."_uom_f", CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN x."_uom_f" IS NULL THEN x."_uom_code" ELSE x."_uom_base" END AS "_uom" FROM (SELECT c.*, CASE WHEN c."_uom_code" = c."_uom_base" THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END AS "_uom_f"
  FROM (SELECT k.*, CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END AS "_uom_base"
  FROM (SELECT t.*, (CASE t."_uom_text" WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE t."_uom_text" END) AS "_uom_code" FROM (SELECT p.*, trim(p."_uom_i") AS "_uom_item", nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') AS "_uom_text" FROM (SELECT DISTINCT CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "erp"."order_lines" AS b) AS p) AS t) AS k LEFT JOIN "uom_base" AS ub ON ub.item_id = k."_uom_item") AS c
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = c."_uom_base"
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = c."_uom_base") AS x) AS f ON f."_uom_i" IS NOT DISTINCT FROM r."_uom_i" AND f."_uom_u" IS NOT DISTINCT FROM r."_uom_u") AS t) AS u GROUP BY "item_id") AS lk0 ON lk0."item_id" IS NOT DISTINCT FROM g."k__item_id"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__item_id", r."k__item_id") AS "k__item_id", coalesce(l."k__site", r."k__site") AS "k__site", l."currency" AS "l__currency", l."qty" AS "l__qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", l."_uom" AS "l___uom", r."currency" AS "r__currency", r."qty" AS "r__qty", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", r."_uom" AS "r___uom", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__item_id" IS NOT DISTINCT FROM r."k__item_id" AND l."k__site" IS NOT DISTINCT FROM r."k__site"
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AND NOT coalesce(coalesce("l___uom" <> "r___uom", FALSE), FALSE) AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL
) AS checked
