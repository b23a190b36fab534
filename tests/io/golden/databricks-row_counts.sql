SELECT
  COUNT(*) AS `total_rows`,
  SUM(CAST(`t0`.`arm` = 'holdout' AS BIGINT)) AS `holdout_rows`,
  SUM(CAST(COALESCE(`t0`.`customer_id` IS NULL, FALSE) AS BIGINT)) AS `unit_missing_count`,
  SUM(
    CAST(COALESCE((
      `t0`.`arm` = 'holdout'
    ) AND COALESCE(`t0`.`sent`, FALSE), FALSE) AS BIGINT)
  ) AS `holdout_sent_count`,
  MIN(
    IF(
      (
        `t0`.`arm` = 'holdout'
      ) AND COALESCE(`t0`.`sent`, FALSE),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `holdout_sent_unit`,
  SUM(
    CAST(COALESCE(NOT (
      `t0`.`sent` IS NULL
    ) AND (
      `t0`.`sent` IS NULL
    ), FALSE) AS BIGINT)
  ) AS `sent_invalid_count`,
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
  SUM(CAST(COALESCE(`t0`.`purchased` IS NULL, FALSE) AS BIGINT)) AS `m0_missing_count`,
  MIN(IF(`t0`.`purchased` IS NULL, `t0`.`customer_id`, NULL)) AS `m0_missing_unit`,
  SUM(
    CAST(COALESCE(
      NOT (
        `t0`.`purchased` IS NULL
      )
      AND (
        CASE
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_LIKE(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`) AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IS NULL
        OR ISNAN(
          CASE
            WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('true', 't')
            THEN 1.0
            WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('false', 'f')
            THEN 0.0
            ELSE IF(
              COALESCE(
                REGEXP_LIKE(
                  `t0`.`purchased`,
                  '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
                ),
                FALSE
              ),
              CAST(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`) AS DOUBLE),
              CAST(NULL AS DOUBLE)
            )
          END
        )
      ),
      FALSE
    ) AS BIGINT)
  ) AS `m0_invalid_count`,
  MIN(
    IF(
      NOT (
        `t0`.`purchased` IS NULL
      )
      AND (
        CASE
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_LIKE(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`) AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IS NULL
        OR ISNAN(
          CASE
            WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('true', 't')
            THEN 1.0
            WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('false', 'f')
            THEN 0.0
            ELSE IF(
              COALESCE(
                REGEXP_LIKE(
                  `t0`.`purchased`,
                  '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
                ),
                FALSE
              ),
              CAST(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`) AS DOUBLE),
              CAST(NULL AS DOUBLE)
            )
          END
        )
      ),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `m0_invalid_unit`,
  SUM(
    CAST(COALESCE(
      CASE
        WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('true', 't')
        THEN 1.0
        WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('false', 'f')
        THEN 0.0
        ELSE IF(
          COALESCE(
            REGEXP_LIKE(
              `t0`.`purchased`,
              '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
            ),
            FALSE
          ),
          CAST(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`) AS DOUBLE),
          CAST(NULL AS DOUBLE)
        )
      END IS NOT NULL
      AND NOT ISNAN(
        CASE
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_LIKE(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`) AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END
      )
      AND NOT (
        CASE
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_LIKE(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`) AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IN (0.0, 1.0)
      ),
      FALSE
    ) AS BIGINT)
  ) AS `m0_nonbinary_count`,
  MIN(
    IF(
      CASE
        WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('true', 't')
        THEN 1.0
        WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('false', 'f')
        THEN 0.0
        ELSE IF(
          COALESCE(
            REGEXP_LIKE(
              `t0`.`purchased`,
              '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
            ),
            FALSE
          ),
          CAST(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`) AS DOUBLE),
          CAST(NULL AS DOUBLE)
        )
      END IS NOT NULL
      AND NOT ISNAN(
        CASE
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_LIKE(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`) AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END
      )
      AND NOT (
        CASE
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`)) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_LIKE(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(' \t\n\r\013\014' FROM `t0`.`purchased`) AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END IN (0.0, 1.0)
      ),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `m0_nonbinary_unit`,
  SUM(
    CAST(COALESCE(
      (
        `t0`.`revenue` IS NULL OR ISNAN(`t0`.`revenue`)
      )
      AND NOT (
        COALESCE(ISNAN(`t0`.`revenue`), FALSE)
      ),
      FALSE
    ) AS BIGINT)
  ) AS `m1_missing_count`,
  MIN(
    IF(
      (
        `t0`.`revenue` IS NULL OR ISNAN(`t0`.`revenue`)
      )
      AND NOT (
        COALESCE(ISNAN(`t0`.`revenue`), FALSE)
      ),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `m1_missing_unit`,
  SUM(
    CAST(COALESCE(
      NOT (
        (
          `t0`.`revenue` IS NULL OR ISNAN(`t0`.`revenue`)
        )
        AND NOT (
          COALESCE(ISNAN(`t0`.`revenue`), FALSE)
        )
      )
      AND (
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
        ) IS NULL
        OR ISNAN(
          IF(
            COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
            `t0`.`revenue`,
            CAST(NULL AS DOUBLE)
          )
        )
      ),
      FALSE
    ) AS BIGINT)
  ) AS `m1_invalid_count`,
  MIN(
    IF(
      NOT (
        (
          `t0`.`revenue` IS NULL OR ISNAN(`t0`.`revenue`)
        )
        AND NOT (
          COALESCE(ISNAN(`t0`.`revenue`), FALSE)
        )
      )
      AND (
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
        ) IS NULL
        OR ISNAN(
          IF(
            COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
            `t0`.`revenue`,
            CAST(NULL AS DOUBLE)
          )
        )
      ),
      `t0`.`customer_id`,
      NULL
    )
  ) AS `m1_invalid_unit`,
  SUM(
    CAST(COALESCE(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
        ) < 0,
        FALSE
      ),
      FALSE
    ) AS BIGINT)
  ) AS `m1_negative_count`,
  MIN(
    IF(
      COALESCE(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
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
