//! Turns QuickJS exceptions into text a developer can act on: `Name: message` and the stack with file:line.

use rquickjs::{Ctx, Object, Value};

/// Describes `err`; when it is a pending JS exception, takes it from the context.
pub fn describe_error(ctx: &Ctx<'_>, err: rquickjs::Error) -> String {
    match err {
        rquickjs::Error::Exception => describe_value(&ctx.catch()),
        other => other.to_string(),
    }
}

/// Describes a thrown JS value.
pub fn describe_value(value: &Value<'_>) -> String {
    let (head, stack) = exception_parts(value);
    if stack.is_empty() {
        head
    } else {
        format!("{head}\n{}", stack.trim_end())
    }
}

/// `("Name: message", stack)` for a thrown value; the stack may be empty.
pub fn exception_parts(value: &Value<'_>) -> (String, String) {
    if let Some(obj) = value.as_object() {
        let name = get_string(obj, "name").unwrap_or_else(|| "Error".into());
        let message = get_string(obj, "message").unwrap_or_default();
        let mut stack = get_string(obj, "stack").unwrap_or_default();
        if stack.is_empty() {
            if let (Some(file), Some(line)) = (
                get_string(obj, "fileName"),
                obj.get::<_, Option<i32>>("lineNumber").ok().flatten(),
            ) {
                stack = format!("    at {file}:{line}");
            }
        }
        let head = if message.is_empty() {
            name
        } else {
            format!("{name}: {message}")
        };
        (head, stack)
    } else if let Some(s) = value.as_string().and_then(|s| s.to_string().ok()) {
        (format!("Uncaught {s}"), String::new())
    } else {
        (format!("Uncaught {value:?}"), String::new())
    }
}

fn get_string(obj: &Object<'_>, key: &str) -> Option<String> {
    obj.get::<_, Option<rquickjs::Coerced<String>>>(key)
        .ok()
        .flatten()
        .map(|c| c.0)
}
