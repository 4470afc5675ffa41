//! Statements whose effect outlives a transaction, which a transaction-mode pool cannot keep for one client:
//! which are refused, which are allowed but make the origin connection need a `RESET ALL` before reuse, and
//! which the pooler answers itself.
//!
//! | statement | outside a transaction | inside a transaction |
//! |---|---|---|
//! | `SET` / `RESET` (not `SET LOCAL`, `SET TRANSACTION`) | refused, 0A000 | allowed; the connection gets `RESET ALL` when released |
//! | `LISTEN` | refused, 0A000 | refused |
//! | `pg_advisory_lock` and other session advisory locks | refused, 0A000 | refused (`pg_advisory_xact_lock` is fine) |
//! | `CREATE TEMP TABLE` | refused, 0A000 | allowed only with `ON COMMIT DROP` |
//! | SQL `PREPARE` | refused, 0A000 (protocol-level prepared statements are replayed instead) | refused |
//! | `DEALLOCATE ALL`, `DISCARD ALL` | answered by the pooler: the client's prepared statements are forgotten | same |

/// What to do with a query.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Forward,
    /// Forward, and reset the connection's session settings before it goes back to the pool.
    ForwardDirty,
    Refuse(String),
    /// Answer with CommandComplete `tag` and forget the client's prepared statements.
    Answer(&'static str),
}

/// Looks at every statement of `sql`; `in_transaction` is the client's state before it.
pub fn check(sql: &str, mut in_transaction: bool) -> Verdict {
    if !needs_full_check(sql.as_bytes()) {
        return Verdict::Forward;
    }
    let statements = split(sql);
    let single = statements.len() <= 1;
    let mut dirty = false;
    for st in &statements {
        let words: Vec<&str> = st.split_whitespace().take(4).collect();
        let w0 = words.first().copied().unwrap_or("");
        let w1 = words.get(1).copied().unwrap_or("");
        if st.contains("pg_advisory_lock")
            || st.contains("pg_try_advisory_lock")
            || st.contains("pg_advisory_unlock")
        {
            return Verdict::Refuse("session advisory locks would stay with one pooled origin connection after the transaction; use pg_advisory_xact_lock / pg_try_advisory_xact_lock inside a transaction".into());
        }
        match w0 {
            "begin" | "start" => in_transaction = true,
            "commit" | "end" | "abort" => in_transaction = false,
            "rollback" if w1 != "to" => in_transaction = false,
            "set" | "reset" => {
                if w1 == "local" || w1 == "transaction" || (w0 == "set" && w1 == "session" && words.get(2) == Some(&"characteristics")) {
                    continue;
                }
                if !in_transaction {
                    return Verdict::Refuse(format!("{} outside a transaction would change session state, which a transaction-mode pool cannot keep for you; use SET LOCAL inside a transaction, or ALTER ROLE/DATABASE ... SET on the origin", w0.to_uppercase()));
                }
                dirty = true;
            }
            "listen" => {
                return Verdict::Refuse("LISTEN needs a dedicated session, which a transaction-mode pool does not give; connect to the origin directly to receive notifications".into())
            }
            "prepare" if w1 != "transaction" => {
                return Verdict::Refuse("SQL PREPARE would stay on one pooled origin connection; use your driver's prepared statements (the protocol-level ones), which the pool replays on every connection".into())
            }
            "deallocate" if single && (w1 == "all" || (w1 == "prepare" && words.get(2) == Some(&"all"))) => {
                return Verdict::Answer("DEALLOCATE ALL")
            }
            "discard" if single && w1 == "all" => return Verdict::Answer("DISCARD ALL"),
            "create" => {
                let temp = matches!(w1, "temp" | "temporary")
                    || (matches!(w1, "local" | "global") && matches!(words.get(2).copied(), Some("temp" | "temporary")));
                if temp && !(in_transaction && st.contains("on commit drop")) {
                    return Verdict::Refuse("temporary tables would stay on one pooled origin connection; create them inside a transaction with ON COMMIT DROP".into());
                }
            }
            _ => {}
        }
    }
    if dirty {
        Verdict::ForwardDirty
    } else {
        Verdict::Forward
    }
}

/// One pass over the text, no allocation: false when `sql` is a single statement (nothing after a `;` but
/// blanks) that never says "advisory" and whose first word is none of those the table above is about (`UPDATE
/// t SET ...`, `SELECT`, `INSERT`, `BEGIN`: most queries). Anything else (several statements, a leading comment,
/// a first word that matters) takes the full check, which is exact.
fn needs_full_check(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_alphabetic() {
        i += 1;
    }
    const FIRST: [&[u8]; 7] = [
        b"set",
        b"reset",
        b"listen",
        b"prepare",
        b"deallocate",
        b"discard",
        b"create",
    ];
    let first = &b[start..i];
    if first.is_empty() || FIRST.iter().any(|w| first.eq_ignore_ascii_case(w)) {
        return true; // a comment, a parenthesis, or a word that matters
    }
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b';' => {
                if b[j + 1..]
                    .iter()
                    .any(|c| !c.is_ascii_whitespace() && *c != b';')
                {
                    return true;
                }
                break;
            }
            b'a' | b'A' if b.len() - j >= 8 && b[j + 1..j + 8].eq_ignore_ascii_case(b"dvisory") => {
                return true;
            }
            _ => {}
        }
        j += 1;
    }
    false
}

/// The statements of `sql`, lowercased, comments removed, string and identifier contents blanked.
fn split(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                cur.push(' ');
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                cur.push(' ');
                continue;
            }
            b'\'' | b'"' => {
                i += 1;
                while i < b.len() {
                    if b[i] == c {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                cur.push_str(" x ");
            }
            b'$' => {
                // A dollar-quoted string: $tag$ ... $tag$.
                let end = b[i + 1..]
                    .iter()
                    .position(|x| !(x.is_ascii_alphanumeric() || *x == b'_'));
                match end {
                    Some(e) if b[i + 1 + e] == b'$' => {
                        let tag = &sql[i..i + e + 2];
                        match sql[i + tag.len()..].find(tag) {
                            Some(close) => i += tag.len() + close + tag.len() - 1,
                            None => i = b.len(),
                        }
                        cur.push_str(" x ");
                    }
                    _ => cur.push('$'),
                }
            }
            b';' => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_string());
                }
                cur.clear();
            }
            _ => cur.push((c as char).to_ascii_lowercase()),
        }
        i += 1;
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        assert_eq!(check("select 1", false), Verdict::Forward);
        assert!(matches!(
            check("SET search_path = x", false),
            Verdict::Refuse(_)
        ));
        assert_eq!(check("SET search_path = x", true), Verdict::ForwardDirty);
        assert_eq!(
            check("BEGIN; SET x.y = 1; COMMIT", false),
            Verdict::ForwardDirty
        );
        assert_eq!(
            check("SET LOCAL statement_timeout = 5", false),
            Verdict::Forward
        );
        assert!(matches!(check("listen foo", true), Verdict::Refuse(_)));
        assert!(matches!(
            check("select pg_advisory_lock(1)", true),
            Verdict::Refuse(_)
        ));
        assert_eq!(
            check("select pg_advisory_xact_lock(1)", true),
            Verdict::Forward
        );
        assert!(matches!(
            check("create temp table t(a int)", false),
            Verdict::Refuse(_)
        ));
        assert_eq!(
            check("create temp table t(a int) on commit drop", true),
            Verdict::Forward
        );
        assert_eq!(
            check("select 'set x'; -- set y\n select 2", false),
            Verdict::Forward
        );
        assert_eq!(check("DISCARD ALL", false), Verdict::Answer("DISCARD ALL"));
        assert_eq!(check("select $$ listen $$", false), Verdict::Forward);
        // The fast path: one statement whose first word does not matter.
        assert_eq!(
            check(
                "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 2;",
                false
            ),
            Verdict::Forward
        );
        assert_eq!(check("  begin", false), Verdict::Forward);
        assert!(matches!(check(" set x = 1 ;", false), Verdict::Refuse(_)));
        assert!(matches!(
            check("/* c */ set x = 1", false),
            Verdict::Refuse(_)
        ));
        assert!(matches!(
            check("select 1; set x = 1", false),
            Verdict::Refuse(_)
        ));
        assert!(matches!(
            check("select 1;\nlisten x", true),
            Verdict::Refuse(_)
        ));
        assert!(matches!(
            check("SELECT PG_ADVISORY_LOCK(1)", false),
            Verdict::Refuse(_)
        ));
        assert!(matches!(
            check("with x as (select 1) select pg_try_advisory_lock(2)", true),
            Verdict::Refuse(_)
        ));
        assert_eq!(check("begin; set x = 1", false), Verdict::ForwardDirty);
        assert!(matches!(
            check("CREATE TEMPORARY TABLE t (a int)", false),
            Verdict::Refuse(_)
        ));
    }
}
