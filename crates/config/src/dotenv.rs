//! Parses `.dev.vars` (dotenv syntax): `NAME=value` lines, `#` comments, optional quotes, `export ` prefix.

use crate::ConfigError;
use std::path::Path;

pub fn parse(path: &Path, text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            return Err(ConfigError {
                file: path.to_path_buf(),
                key: None,
                message: format!("line {} is not `NAME=value`", n + 1),
                fix: Some("write one secret per line as NAME=value".into()),
            });
        };
        let name = name.trim().to_string();
        let value = value.trim();
        let value = if value.len() >= 2
            && ((value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\'')))
        {
            let inner = &value[1..value.len() - 1];
            if value.starts_with('"') {
                inner.replace("\\n", "\n").replace("\\\"", "\"")
            } else {
                inner.to_string()
            }
        } else {
            // Unquoted values end at an inline comment.
            value.split(" #").next().unwrap_or("").trim().to_string()
        };
        out.retain(|(k, _): &(String, String)| *k != name);
        out.push((name, value));
    }
    Ok(out)
}
