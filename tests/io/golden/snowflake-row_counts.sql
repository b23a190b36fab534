SELECT
  COUNT(*) AS "total_rows",
  COUNT_IF("t0"."arm" = 'holdout') AS "holdout_rows",
  COUNT_IF(COALESCE("t0"."customer_id" IS NULL, FALSE)) AS "unit_missing_count",
  COUNT_IF(COALESCE((
    "t0"."arm" = 'holdout'
  ) AND COALESCE("t0"."sent", FALSE), FALSE)) AS "holdout_sent_count",
  MIN(
    IFF(
      (
        "t0"."arm" = 'holdout'
      ) AND COALESCE("t0"."sent", FALSE),
      "t0"."customer_id",
      NULL
    )
  ) AS "holdout_sent_unit",
  COUNT_IF(COALESCE(NOT (
    "t0"."sent" IS NULL
  ) AND (
    "t0"."sent" IS NULL
  ), FALSE)) AS "sent_invalid_count",
  MIN(
    IFF(
      NOT (
        "t0"."sent" IS NULL
      ) AND (
        "t0"."sent" IS NULL
      ),
      "t0"."customer_id",
      NULL
    )
  ) AS "sent_invalid_unit",
  COUNT_IF(COALESCE("t0"."purchased" IS NULL, FALSE)) AS "m0_missing_count",
  MIN(IFF("t0"."purchased" IS NULL, "t0"."customer_id", NULL)) AS "m0_missing_unit",
  COUNT_IF(
    COALESCE(
      NOT (
        "t0"."purchased" IS NULL
      )
      AND (
        CASE
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IFF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                CONCAT(
                  '.*',
                  '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                  '.*'
                ),
                'cs'
              ),
              FALSE
            ),
            CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IS NULL
      ),
      FALSE
    )
  ) AS "m0_invalid_count",
  MIN(
    IFF(
      NOT (
        "t0"."purchased" IS NULL
      )
      AND (
        CASE
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IFF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                CONCAT(
                  '.*',
                  '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                  '.*'
                ),
                'cs'
              ),
              FALSE
            ),
            CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IS NULL
      ),
      "t0"."customer_id",
      NULL
    )
  ) AS "m0_invalid_unit",
  COUNT_IF(
    COALESCE(
      (
        CASE
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IFF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                CONCAT(
                  '.*',
                  '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                  '.*'
                ),
                'cs'
              ),
              FALSE
            ),
            CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IS NOT NULL
      )
      AND NOT (
        CASE
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IFF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                CONCAT(
                  '.*',
                  '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                  '.*'
                ),
                'cs'
              ),
              FALSE
            ),
            CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IN (0.0, 1.0)
      ),
      FALSE
    )
  ) AS "m0_nonbinary_count",
  MIN(
    IFF(
      (
        CASE
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IFF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                CONCAT(
                  '.*',
                  '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                  '.*'
                ),
                'cs'
              ),
              FALSE
            ),
            CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IS NOT NULL
      )
      AND NOT (
        CASE
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IFF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                CONCAT(
                  '.*',
                  '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                  '.*'
                ),
                'cs'
              ),
              FALSE
            ),
            CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IN (0.0, 1.0)
      ),
      "t0"."customer_id",
      NULL
    )
  ) AS "m0_nonbinary_unit",
  COUNT_IF(
    COALESCE(
      (
        "t0"."revenue" IS NULL
      )
      AND NOT (
        COALESCE("t0"."revenue" = CAST('NaN' AS DOUBLE), FALSE)
      ),
      FALSE
    )
  ) AS "m1_missing_count",
  MIN(
    IFF(
      (
        "t0"."revenue" IS NULL
      )
      AND NOT (
        COALESCE("t0"."revenue" = CAST('NaN' AS DOUBLE), FALSE)
      ),
      "t0"."customer_id",
      NULL
    )
  ) AS "m1_missing_unit",
  COUNT_IF(
    COALESCE(
      NOT (
        (
          "t0"."revenue" IS NULL
        )
        AND NOT (
          COALESCE("t0"."revenue" = CAST('NaN' AS DOUBLE), FALSE)
        )
      )
      AND (
        IFF(
          COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) IS NULL
      ),
      FALSE
    )
  ) AS "m1_invalid_count",
  MIN(
    IFF(
      NOT (
        (
          "t0"."revenue" IS NULL
        )
        AND NOT (
          COALESCE("t0"."revenue" = CAST('NaN' AS DOUBLE), FALSE)
        )
      )
      AND (
        IFF(
          COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) IS NULL
      ),
      "t0"."customer_id",
      NULL
    )
  ) AS "m1_invalid_unit",
  COUNT_IF(
    COALESCE(
      COALESCE(
        IFF(
          COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) < 0,
        FALSE
      ),
      FALSE
    )
  ) AS "m1_negative_count",
  MIN(
    IFF(
      COALESCE(
        IFF(
          COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) < 0,
        FALSE
      ),
      "t0"."customer_id",
      NULL
    )
  ) AS "m1_negative_unit"
FROM (
  SELECT
    *
  FROM analytics.sends
  WHERE
    campaign = 'w47'
) AS "t0"
