SELECT
  COUNT(*) AS "units",
  COUNT(*) FILTER(WHERE
    (
      "t2"."rows" > 1
    ) AND "t2"."first_arm" IS NOT DISTINCT FROM "t2"."last_arm") AS "duplicated_units",
  SUM("t2"."rows" - 1) FILTER(WHERE
    (
      "t2"."rows" > 1
    ) AND "t2"."first_arm" IS NOT DISTINCT FROM "t2"."last_arm") AS "duplicated_rows",
  MIN("t2"."unit") FILTER(WHERE
    (
      "t2"."rows" > 1
    ) AND "t2"."first_arm" IS NOT DISTINCT FROM "t2"."last_arm") AS "duplicated_example",
  MIN_BY("t2"."rows", "t2"."unit") FILTER(WHERE
    (
      "t2"."rows" > 1
    ) AND "t2"."first_arm" IS NOT DISTINCT FROM "t2"."last_arm") AS "duplicated_example_rows",
  COUNT(*) FILTER(WHERE
    COALESCE("t2"."first_arm" <> "t2"."last_arm", FALSE)) AS "split_units",
  SUM("t2"."rows") FILTER(WHERE
    COALESCE("t2"."first_arm" <> "t2"."last_arm", FALSE)) AS "split_rows",
  MIN("t2"."unit") FILTER(WHERE
    COALESCE("t2"."first_arm" <> "t2"."last_arm", FALSE)) AS "split_example",
  MIN_BY("t2"."first_arm", "t2"."unit") FILTER(WHERE
    COALESCE("t2"."first_arm" <> "t2"."last_arm", FALSE)) AS "split_example_first",
  MIN_BY("t2"."last_arm", "t2"."unit") FILTER(WHERE
    COALESCE("t2"."first_arm" <> "t2"."last_arm", FALSE)) AS "split_example_last"
FROM (
  SELECT
    "t1"."customer_id" AS "unit",
    COUNT(*) AS "rows",
    MIN("t1"."arm") AS "first_arm",
    MAX("t1"."arm") AS "last_arm"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM analytics.sends
      WHERE
        campaign = 'w47'
    ) AS "t0"
    WHERE
      NOT (
        "t0"."customer_id" IS NULL
      )
  ) AS "t1"
  GROUP BY
    1
) AS "t2"
