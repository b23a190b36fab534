SELECT
  COUNT(*) AS `rows`,
  SUM(CAST(COALESCE(NOT (
    `t0`.`purchased` IS NULL
  ), FALSE) AS BIGINT)) AS `m0_present`,
  SUM(
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
      ),
      (
        (
          CAST(CAST(FLOOR(
            ABS(
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
          ) AS BIGINT) AS DECIMAL(38, 0)) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS(
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
            ) - CAST(FLOOR(
              ABS(
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
            ) AS BIGINT)
          ) * 1000000000000
        ) AS BIGINT) + IF(
          (
            (
              (
                ABS(
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
                ) - CAST(FLOOR(
                  ABS(
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
                ) AS BIGINT)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS(
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
                ) - CAST(FLOOR(
                  ABS(
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
                ) AS BIGINT)
              ) * 1000000000000
            ) AS BIGINT)
          ) >= 0.5,
          1,
          0
        ) AS DECIMAL(38, 0))
      ) * IF(
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
        END < 0,
        -1,
        1
      ),
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS `m0_sum`,
  SUM(
    CAST(COALESCE(
      NOT (
        (
          `t0`.`revenue` IS NULL OR ISNAN(`t0`.`revenue`)
        )
        AND NOT (
          COALESCE(ISNAN(`t0`.`revenue`), FALSE)
        )
      ),
      FALSE
    ) AS BIGINT)
  ) AS `m1_present`,
  SUM(
    IF(
      IF(
        COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
        `t0`.`revenue`,
        CAST(NULL AS DOUBLE)
      ) IS NOT NULL
      AND NOT ISNAN(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
        )
      ),
      (
        (
          CAST(CAST(FLOOR(
            ABS(
              IF(
                COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                `t0`.`revenue`,
                CAST(NULL AS DOUBLE)
              )
            )
          ) AS BIGINT) AS DECIMAL(38, 0)) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS(
              IF(
                COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                `t0`.`revenue`,
                CAST(NULL AS DOUBLE)
              )
            ) - CAST(FLOOR(
              ABS(
                IF(
                  COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                  `t0`.`revenue`,
                  CAST(NULL AS DOUBLE)
                )
              )
            ) AS BIGINT)
          ) * 1000000000000
        ) AS BIGINT) + IF(
          (
            (
              (
                ABS(
                  IF(
                    COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                    `t0`.`revenue`,
                    CAST(NULL AS DOUBLE)
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IF(
                      COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                      `t0`.`revenue`,
                      CAST(NULL AS DOUBLE)
                    )
                  )
                ) AS BIGINT)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS(
                  IF(
                    COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                    `t0`.`revenue`,
                    CAST(NULL AS DOUBLE)
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IF(
                      COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                      `t0`.`revenue`,
                      CAST(NULL AS DOUBLE)
                    )
                  )
                ) AS BIGINT)
              ) * 1000000000000
            ) AS BIGINT)
          ) >= 0.5,
          1,
          0
        ) AS DECIMAL(38, 0))
      ) * IF(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS DOUBLE)
        ) < 0,
        -1,
        1
      ),
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS `m1_sum`
FROM (
  SELECT
    *
  FROM analytics.sends
  WHERE
    campaign = 'w47'
) AS `t0`
