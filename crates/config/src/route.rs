//! Route patterns in wrangler's syntax: a host with an optional leading `*`, then a path with an optional
//! trailing `*` (`example.com/*`, `*.example.com/api/*`, `shop.example.com`).

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutePattern {
    /// The pattern as written.
    pub pattern: String,
    /// Host without the wildcard, lowercased.
    host: String,
    host_wildcard: bool,
    /// Path without the wildcard (always starts with `/`).
    path: String,
    path_wildcard: bool,
}

impl RoutePattern {
    pub fn parse(pattern: &str) -> Result<RoutePattern, String> {
        let rest = pattern
            .strip_prefix("https://")
            .or_else(|| pattern.strip_prefix("http://"))
            .unwrap_or(pattern);
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host_wildcard, host) = match host.strip_prefix('*') {
            Some(h) => (true, h),
            None => (false, host),
        };
        if host.is_empty() && !host_wildcard {
            return Err(format!("route `{pattern}` has no host"));
        }
        if host.contains('*') {
            return Err(format!(
                "route `{pattern}`: `*` is only allowed at the start of the host"
            ));
        }
        let (path_wildcard, path) = match path.strip_suffix('*') {
            Some(p) => (true, p),
            None => (false, path),
        };
        if path.contains('*') {
            return Err(format!(
                "route `{pattern}`: `*` is only allowed at the end of the path"
            ));
        }
        let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
        Ok(RoutePattern {
            pattern: pattern.to_string(),
            host,
            host_wildcard,
            path: path.to_string(),
            path_wildcard,
        })
    }

    /// Whether a request for `host` (without port) and `path` falls under this route.
    pub fn matches(&self, host: &str, path: &str) -> bool {
        let host_ok = if self.host_wildcard {
            host.len() >= self.host.len()
                && host[host.len() - self.host.len()..].eq_ignore_ascii_case(&self.host)
        } else {
            host.eq_ignore_ascii_case(&self.host)
        };
        host_ok
            && if self.path_wildcard {
                path.starts_with(&self.path)
            } else {
                path == self.path
            }
    }

    /// How specific the pattern is; more specific routes win (longer host, then longer path).
    pub fn specificity(&self) -> (bool, usize, usize) {
        (!self.host_wildcard, self.host.len(), self.path.len())
    }
}

#[cfg(test)]
mod tests {
    use super::RoutePattern;

    #[test]
    fn matches_hosts_and_paths() {
        let r = RoutePattern::parse("example.com/*").unwrap();
        assert!(r.matches("example.com", "/"));
        assert!(r.matches("EXAMPLE.com", "/a/b"));
        assert!(!r.matches("www.example.com", "/"));
        let r = RoutePattern::parse("*.example.com/api/*").unwrap();
        assert!(r.matches("a.example.com", "/api/x"));
        assert!(!r.matches("a.example.com", "/other"));
        let r = RoutePattern::parse("*example.com/*").unwrap();
        assert!(r.matches("example.com", "/x"));
        assert!(r.matches("www.example.com", "/x"));
        let r = RoutePattern::parse("shop.example.com").unwrap();
        assert!(r.matches("shop.example.com", "/"));
        assert!(!r.matches("shop.example.com", "/x"));
        assert!(RoutePattern::parse("ex*ample.com/").is_err());
        assert!(RoutePattern::parse("example.com/a*b").is_err());
    }
}
