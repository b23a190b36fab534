SELECT
  COUNT(*) AS `total_rows`,
  COUNTIF(`t0`.`arm` = 'holdout') AS `holdout_rows`,
  COUNTIF(COALESCE(`t0`.`customer_id` IS NULL, FALSE)) AS `unit_missing_count`,
  COUNTIF(COALESCE((
    `t0`.`arm` = 'holdout'
  ) AND COALESCE(`t0`.`sent`, FALSE), FALSE)) AS `holdout_sent_count`,
  MIN(
    IF(
      (
        `t0`.`arm` = 'holdout'
      ) AND COALESCE(`t0`.`sent`, FALSE),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `holdout_sent_unit`,
  COUNTIF(COALESCE(NOT (
    `t0`.`sent` IS NULL
  ) AND (
    `t0`.`sent` IS NULL
  ), FALSE)) AS `sent_invalid_count`,
  MIN(
    IF(
      NOT (
        `t0`.`sent` IS NULL
      ) AND (
        `t0`.`sent` IS NULL
      ),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `sent_invalid_unit`,
  COUNTIF(COALESCE(`t0`.`purchased` IS NULL, FALSE)) AS `m0_missing_count`,
  MIN(IF(`t0`.`purchased` IS NULL, `t0`.`customer_id`, NULL)) AS `m0_missing_unit`,
  COUNTIF(
    COALESCE(
      NOT (
        `t0`.`purchased` IS NULL
      )
      AND (
        CASE
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_CONTAINS(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
            CAST(NULL AS FLOAT64)
          )
        END IS NULL
      ),
      FALSE
    )
  ) AS `m0_invalid_count`,
  MIN(
    IF(
      NOT (
        `t0`.`purchased` IS NULL
      )
      AND (
        CASE
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_CONTAINS(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
            CAST(NULL AS FLOAT64)
          )
        END IS NULL
      ),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `m0_invalid_unit`,
  COUNTIF(
    COALESCE(
      (
        CASE
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_CONTAINS(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
            CAST(NULL AS FLOAT64)
          )
        END IS NOT NULL
      )
      AND NOT (
        CASE
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_CONTAINS(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
            CAST(NULL AS FLOAT64)
          )
        END IN (0.0, 1.0)
      ),
      FALSE
    )
  ) AS `m0_nonbinary_count`,
  MIN(
    IF(
      (
        CASE
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_CONTAINS(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
            CAST(NULL AS FLOAT64)
          )
        END IS NOT NULL
      )
      AND NOT (
        CASE
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_CONTAINS(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
            CAST(NULL AS FLOAT64)
          )
        END IN (0.0, 1.0)
      ),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `m0_nonbinary_unit`,
  COUNTIF(
    COALESCE(
      (
        `t0`.`revenue` IS NULL
      )
      AND NOT (
        COALESCE(IS_NAN(`t0`.`revenue`), FALSE)
      ),
      FALSE
    )
  ) AS `m1_missing_count`,
  MIN(
    IF(
      (
        `t0`.`revenue` IS NULL
      )
      AND NOT (
        COALESCE(IS_NAN(`t0`.`revenue`), FALSE)
      ),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `m1_missing_unit`,
  COUNTIF(
    COALESCE(
      NOT (
        (
          `t0`.`revenue` IS NULL
        )
        AND NOT (
          COALESCE(IS_NAN(`t0`.`revenue`), FALSE)
        )
      )
      AND (
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS FLOAT64)
        ) IS NULL
      ),
      FALSE
    )
  ) AS `m1_invalid_count`,
  MIN(
    IF(
      NOT (
        (
          `t0`.`revenue` IS NULL
        )
        AND NOT (
          COALESCE(IS_NAN(`t0`.`revenue`), FALSE)
        )
      )
      AND (
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS FLOAT64)
        ) IS NULL
      ),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `m1_invalid_unit`,
  COUNTIF(
    COALESCE(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS FLOAT64)
        ) < 0,
        FALSE
      ),
      FALSE
    )
  ) AS `m1_negative_count`,
  MIN(
    IF(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS FLOAT64)
        ) < 0,
        FALSE
      ),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `m1_negative_unit`
FROM (
  SELECT
    *
  FROM analytics.sends
  WHERE
    campaign = 'w47'
) AS `t0`
