//! Turns JSON with comments and trailing commas (wrangler.jsonc) into plain JSON.

/// Removes `//` and `/* */` comments and trailing commas before `]` or `}`, leaving strings untouched.
/// Line structure is kept so that parse errors still point at the right line.
pub fn strip(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    // Index in `out` of a comma that may turn out to be trailing.
    let mut pending_comma: Option<usize> = None;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            out.push_str(&input[start..i]);
            pending_comma = None;
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                if bytes[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i = (i + 2).min(bytes.len());
        } else if c == b',' {
            pending_comma = Some(out.len());
            out.push(',');
            i += 1;
        } else if (c == b']' || c == b'}') && pending_comma.is_some() {
            out.replace_range(pending_comma.take().unwrap()..pending_comma_end(&out), " ");
            out.push(c as char);
            i += 1;
        } else {
            if !c.is_ascii_whitespace() {
                pending_comma = None;
            }
            let ch_len = utf8_len(c);
            out.push_str(&input[i..i + ch_len]);
            i += ch_len;
        }
    }
    out
}

fn pending_comma_end(out: &str) -> usize {
    // The comma is followed only by whitespace up to the end of `out`; replace just the comma itself.
    let trimmed = out.trim_end();
    trimmed.len()
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::strip;

    #[test]
    fn strips_comments_and_trailing_commas_only_outside_strings() {
        let s = strip("{\"a\": \"/* x */\", // c\n \"b\": [1, 2,\n ], /* z */ \"é\": \"\\\"//\",}");
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["a"], "/* x */");
        assert_eq!(v["b"], serde_json::json!([1, 2]));
        assert_eq!(v["é"], "\"//");
    }
}
