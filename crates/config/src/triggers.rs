//! `[triggers] crons`: Cloudflare Cron Triggers. Expressions are parsed with `saffron`, the parser Cloudflare's
//! own scheduler uses: five fields (minute, hour, day of month, month, day of week), always UTC, with `L`
//! (last day of the month / last weekday of the month), `W` (nearest weekday), `#` (nth weekday of the month),
//! month names `JAN`-`DEC` and day names `SUN`-`SAT`. Days of the week are numbered 1-7 from Sunday, as on
//! Cloudflare.

use crate::{type_error, ConfigError};
use serde_json::Value;
use std::path::Path;

const FIX: &str =
    "write five fields in UTC: minute hour day-of-month month day-of-week, like \"*/5 * * * *\" \
or \"0 3 * * MON\" (days of the week are 1-7 or SUN-SAT; L, W and # are supported)";

/// One parsed cron expression.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    expr: String,
    cron: saffron::Cron,
}

impl CronSchedule {
    /// Parses `expr`; the error says what is wrong with it.
    pub fn parse(expr: &str) -> Result<CronSchedule, String> {
        let fields = expr.split_whitespace().count();
        if fields != 5 {
            return Err(format!(
                "`{expr}` has {fields} field{}; a cron expression has exactly 5",
                if fields == 1 { "" } else { "s" }
            ));
        }
        let cron: saffron::Cron = expr
            .trim()
            .parse()
            .map_err(|_| format!("`{expr}` is not a valid cron expression"))?;
        if !cron.any() {
            return Err(format!("`{expr}` never matches any date"));
        }
        Ok(CronSchedule {
            expr: expr.to_string(),
            cron,
        })
    }

    /// The expression as written in the config.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// The first time the expression matches strictly after the minute holding `after_ms` (ms since the Unix
    /// epoch, UTC), in ms since the epoch; `None` if it never matches again.
    pub fn next_after_ms(&self, after_ms: i64) -> Option<i64> {
        let after = chrono::DateTime::from_timestamp_millis(after_ms)?;
        self.cron.next_after(after).map(|t| t.timestamp_millis())
    }
}

/// Reads `[triggers]`: the cron expressions, each checked by the parser.
pub(crate) fn parse_triggers(path: &Path, v: Option<&Value>) -> Result<Vec<String>, ConfigError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let Value::Object(m) = v else {
        return Err(type_error(path, "triggers", "a table with `crons`"));
    };
    for key in m.keys() {
        if key != "crons" {
            tracing::warn!(file = %path.display(), key = %format!("triggers.{key}"), "unknown config key, ignored");
        }
    }
    let crons = match m.get("crons") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(type_error(
                path,
                "triggers.crons",
                "an array of cron expressions, like `crons = [\"*/5 * * * *\"]`",
            ))
        }
    };
    crons
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let key = format!("triggers.crons[{i}]");
            let Some(expr) = v.as_str() else {
                return Err(type_error(path, &key, "a string holding a cron expression"));
            };
            CronSchedule::parse(expr)
                .map(|_| expr.to_string())
                .map_err(|message| ConfigError::new(path, Some(&key), message, Some(FIX)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ms since the epoch of a UTC date and time.
    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        chrono::NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    fn next(expr: &str, after: i64) -> i64 {
        CronSchedule::parse(expr)
            .unwrap()
            .next_after_ms(after)
            .unwrap()
    }

    #[test]
    fn steps_fire_on_multiples_strictly_after() {
        let t = at(2026, 3, 10, 12, 3);
        assert_eq!(next("*/5 * * * *", t), at(2026, 3, 10, 12, 5));
        assert_eq!(next("*/5 * * * *", t + 119_000), at(2026, 3, 10, 12, 5));
        // Exactly on a match: the next one, not the same minute again.
        assert_eq!(
            next("*/5 * * * *", at(2026, 3, 10, 12, 5)),
            at(2026, 3, 10, 12, 10)
        );
        assert_eq!(
            next("*/5 * * * *", at(2026, 3, 10, 12, 5) + 59_999),
            at(2026, 3, 10, 12, 10)
        );
        assert_eq!(
            next("* * * * *", at(2026, 12, 31, 23, 59)),
            at(2027, 1, 1, 0, 0)
        );
    }

    #[test]
    fn last_day_of_month() {
        assert_eq!(
            next("0 0 L * *", at(2026, 1, 15, 0, 0)),
            at(2026, 1, 31, 0, 0)
        );
        assert_eq!(
            next("0 0 L * *", at(2026, 2, 1, 0, 0)),
            at(2026, 2, 28, 0, 0)
        );
        assert_eq!(
            next("0 0 L * *", at(2028, 2, 1, 0, 0)),
            at(2028, 2, 29, 0, 0)
        );
        assert_eq!(
            next("0 0 L * *", at(2026, 4, 30, 0, 0)),
            at(2026, 5, 31, 0, 0)
        );
    }

    #[test]
    fn nth_weekday_counts_days_from_sunday() {
        // Cloudflare numbers days 1-7 from Sunday: 5 is Thursday. The third Thursday of March 2026 is the 19th.
        assert_eq!(
            next("0 12 * * 5#3", at(2026, 3, 1, 0, 0)),
            at(2026, 3, 19, 12, 0)
        );
        assert_eq!(
            next("0 12 * * 5#3", at(2026, 3, 19, 12, 0)),
            at(2026, 4, 16, 12, 0)
        );
        assert_eq!(
            next("0 12 * * THU#3", at(2026, 3, 1, 0, 0)),
            at(2026, 3, 19, 12, 0)
        );
        // The last Friday (6L) of March 2026 is the 27th.
        assert_eq!(
            next("0 0 * * 6L", at(2026, 3, 1, 0, 0)),
            at(2026, 3, 27, 0, 0)
        );
    }

    #[test]
    fn nearest_weekday() {
        // 15 August 2026 is a Saturday: the nearest weekday is Friday the 14th.
        assert_eq!(
            next("0 9 15W * *", at(2026, 8, 1, 0, 0)),
            at(2026, 8, 14, 9, 0)
        );
        // 15 November 2026 is a Sunday: Monday the 16th.
        assert_eq!(
            next("0 9 15W * *", at(2026, 11, 1, 0, 0)),
            at(2026, 11, 16, 9, 0)
        );
        // 15 September 2026 is a Tuesday: that day.
        assert_eq!(
            next("0 9 15W * *", at(2026, 9, 1, 0, 0)),
            at(2026, 9, 15, 9, 0)
        );
    }

    #[test]
    fn day_and_month_names() {
        // 2 March 2026 is a Monday.
        assert_eq!(
            next("0 3 * * MON", at(2026, 2, 28, 12, 0)),
            at(2026, 3, 2, 3, 0)
        );
        assert_eq!(
            next("0 3 * * MON", at(2026, 3, 2, 3, 0)),
            at(2026, 3, 9, 3, 0)
        );
        assert_eq!(
            next("30 6 1 JAN,JUL *", at(2026, 3, 1, 0, 0)),
            at(2026, 7, 1, 6, 30)
        );
        assert_eq!(
            next("0 0 * * MON-FRI", at(2026, 3, 6, 1, 0)),
            at(2026, 3, 9, 0, 0)
        );
    }

    #[test]
    fn bad_expressions_are_explained() {
        assert!(CronSchedule::parse("* * * *")
            .unwrap_err()
            .contains("4 fields"));
        assert!(CronSchedule::parse("0 0 * * * *")
            .unwrap_err()
            .contains("6 fields"));
        assert!(CronSchedule::parse("61 * * * *")
            .unwrap_err()
            .contains("not a valid"));
        assert!(CronSchedule::parse("0 0 * * FUN")
            .unwrap_err()
            .contains("not a valid"));
        assert!(CronSchedule::parse("0 0 31 11 *")
            .unwrap_err()
            .contains("never matches"));
    }

    #[test]
    fn config_errors_name_the_entry_and_the_fix() {
        let path = Path::new("wrangler.toml");
        let v = serde_json::json!({"crons": ["*/5 * * * *", "0 3 * * MON", "every day"]});
        let e = parse_triggers(path, Some(&v)).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("triggers.crons[2]"));
        assert!(e.to_string().contains("fix: write five fields"), "{e}");
        let v = serde_json::json!({"crons": "*/5 * * * *"});
        let e = parse_triggers(path, Some(&v)).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("triggers.crons"));
        let v = serde_json::json!({"crons": ["*/5 * * * *", "0 3 * * MON"]});
        assert_eq!(parse_triggers(path, Some(&v)).unwrap().len(), 2);
        assert!(parse_triggers(path, None).unwrap().is_empty());
    }
}
