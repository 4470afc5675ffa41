//! The host functions of the optional APIs (KV, Durable Objects, queues, URL, crypto, WebSockets, sockets, node,
//! outbound fetch, compression, URLPattern, JSON) and of the less used half of the core (logging, timers, bodies:
//! `host::register_more`), put on an isolate's `host` object only when prelude code first asks for one of them.
//!
//! A hello-world isolate touches none of them; registering all of them in every isolate cost ~17 KB of QuickJS
//! heap per isolate (a function object, its properties and a boxed Rust closure each). `host`'s prototype is a
//! proxy whose `get` calls [`register_for`]: the group that defines the name is registered on `host` itself (its
//! functions become own properties, so the proxy is not consulted again for them).

use crate::isolate::WeakIsolate;
use rquickjs::{Ctx, Function, Object, Result, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

type Register = for<'js> fn(&Ctx<'js>, &Object<'js>, WeakIsolate) -> Result<()>;

/// The groups, each with the function that puts its host functions on `host`.
const GROUPS: &[Register] = &[
    |ctx, host, weak| crate::host::register_more(ctx, host, weak),
    |ctx, host, weak| crate::kv::register(ctx, host, weak),
    |ctx, host, weak| crate::objects::register(ctx, host, weak),
    |ctx, host, weak| crate::queues::register(ctx, host, weak),
    |ctx, host, _| crate::web::url::register(ctx, host),
    |ctx, host, _| crate::web::crypto::register(ctx, host),
    |ctx, host, weak| crate::websocket::register(ctx, host, weak),
    |ctx, host, weak| crate::sockets::register(ctx, host, weak),
    |ctx, host, _| crate::node::register(ctx, host),
    |ctx, host, weak| crate::fetch::register(ctx, host, weak),
    |ctx, host, _| crate::web::compression::register(ctx, host),
    |ctx, host, _| crate::web::urlpattern::register(ctx, host),
    |ctx, host, _| crate::web::json::register(ctx, host),
];

/// Which group defines each host function name: found once per process by registering every group on a
/// scratch object (the functions are never called, so the isolate handle they hold can be empty).
fn group_of_name() -> &'static HashMap<String, usize> {
    static NAMES: OnceLock<HashMap<String, usize>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let runtime = rquickjs::Runtime::new().expect("QuickJS runtime");
        let context = rquickjs::Context::base(&runtime).expect("QuickJS context");
        context.with(|ctx| {
            let mut names = HashMap::new();
            for (group, register) in GROUPS.iter().enumerate() {
                let scratch = Object::new(ctx.clone()).expect("scratch object");
                register(&ctx, &scratch, WeakIsolate::new()).expect("host group registers");
                for key in scratch.keys::<String>() {
                    let key = key.expect("host function name");
                    let previous = names.insert(key.clone(), group);
                    assert!(
                        previous.is_none(),
                        "host function {key} is registered twice"
                    );
                }
            }
            names
        })
    })
}

/// `hostGroup(host, name)` for the installer: the `get` trap of `host`'s prototype.
pub(crate) fn trap<'js>(ctx: &Ctx<'js>, weak: WeakIsolate) -> Result<Function<'js>> {
    Function::new(
        ctx.clone(),
        move |ctx: Ctx<'js>, host: Object<'js>, name: Value<'js>| {
            register_for(&ctx, &host, &name, &weak)
        },
    )
}

/// Registers the group that defines `name` on `host` (the receiver of the lookup) and returns the function;
/// `undefined` for a name no group defines.
fn register_for<'js>(
    ctx: &Ctx<'js>,
    host: &Object<'js>,
    name: &Value<'js>,
    weak: &WeakIsolate,
) -> Result<Value<'js>> {
    let Some(name) = name.as_string().map(|s| s.to_string()).transpose()? else {
        return Ok(Value::new_undefined(ctx.clone()));
    };
    let Some(&group) = group_of_name().get(&name) else {
        return Ok(Value::new_undefined(ctx.clone()));
    };
    GROUPS[group](ctx, host, weak.clone())?;
    host.get(name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_host_function_name_maps_to_one_group() {
        let names = group_of_name();
        assert_eq!(names.get("kvGet"), Some(&1), "{names:?}");
        assert_eq!(names.get("log"), Some(&0), "{names:?}");
        assert_eq!(names.get("respond"), None, "registered at boot");
        assert_eq!(names.get("jsonStringify"), Some(&(GROUPS.len() - 1)));
        assert!(names.len() > 40, "{}", names.len());
    }
}
