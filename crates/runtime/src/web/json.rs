//! `JSON.stringify(value)` (no replacer, no indent) in Rust, for `Response.json`.
//!
//! QuickJS's own stringifier builds a JS array of keys for every object (`Object.keys`), turns every array index
//! into a string and quotes every string through its string buffer; on a 1 KB response that was about half of
//! the request's instructions. This walks the same values in the order the specification does (SerializeJSONProperty:
//! `toJSON`, then the value by type; objects by their own enumerable string keys in property order; `Get` for each
//! key or index) and writes UTF-8 directly. What it does not handle itself it hands to the built-in
//! `JSON.stringify` for that one value: primitive wrapper objects (`new Number(1)`, `JSON.rawJSON`), whose
//! internal slots are not reachable from the C API, and strings holding lone surrogates.
//!
//! It also keeps the layouts of the plain objects it serializes warm for the next request ([`WarmLayouts`]).

use rquickjs::{qjs, Ctx, Exception, Function, Result, Value};
use std::sync::OnceLock;

/// Stack the serializer's own recursion may use: past it, it throws `InternalError: stack overflow` as the built-in
/// does at its limit, and fetch_api.js hands the value to the built-in, whose recursion QuickJS bounds against the
/// isolate's stack limit. (About 1,000 levels of nesting in a release build; a fixed count of levels would not do,
/// as a debug build's frames are several times larger.)
const MAX_STACK_BYTES: usize = 256 * 1024;

/// The address of a local of the caller's frame: the stack grows down from there.
#[inline(always)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(std::ptr::addr_of!(marker)) as usize
}

/// Class ids, fixed for this QuickJS build.
struct KnownClasses {
    /// Objects handed to the built-in stringifier.
    wrappers: Vec<qjs::JSClassID>,
    /// Ordinary objects (`{}`, `Object.create(p)`, instances of JS classes).
    plain_object: qjs::JSClassID,
}

fn known_classes(ctx: &Ctx<'_>) -> Result<&'static KnownClasses> {
    static CLASSES: OnceLock<KnownClasses> = OnceLock::new();
    if let Some(c) = CLASSES.get() {
        return Ok(c);
    }
    let probes: Vec<Value> = ctx.eval(
        "[{}, new Number(0), new String(''), new Boolean(false), Object(0n), \
         typeof JSON.rawJSON === 'function' ? JSON.rawJSON('0') : new Number(0)]",
    )?;
    let mut ids = probes
        .iter()
        // SAFETY: reads the class id of a live object value.
        .map(|v| unsafe { qjs::JS_GetClassID(v.as_raw()) });
    let plain_object = ids.next().unwrap_or_default();
    let wrappers = ids.collect();
    Ok(CLASSES.get_or_init(|| KnownClasses {
        wrappers,
        plain_object,
    }))
}

/// Object layouts kept warm in one isolate, by the serializer of its `Response.json`.
///
/// QuickJS gives the objects of one layout (prototype, then keys in order) a shared shape, and when a literal or an
/// assignment adds a property it looks for the next shape in a table of live shapes. A shape dies with the last
/// object that has it, so a handler that builds the same objects on every request, the usual JSON API, rebuilds
/// every intermediate shape on every request: a shape copy, and a resize every other property. For each layout of
/// a plain object it serializes, the serializer keeps one object (with `undefined` values) per prefix of its keys
/// in `keepers`, an array private to the isolate's fetch_api.js, so the next request's objects find their shapes.
/// On the bench JSON handler that saves 14k of 298k instructions per request (5%).
#[derive(Default)]
struct WarmLayouts {
    /// Hashes of the layouts (and prefixes) kept: the prototype's address, then each key's atom. The objects in
    /// `keepers` hold the prototypes and atoms alive, so neither address nor atom is reused for something else. Two
    /// layouts with one hash only means one is not kept warm.
    kept: std::collections::HashSet<u64, crate::int_hash::BuildIntHasher>,
}

/// Objects kept per isolate: a few for each layout, some 100 to 400 bytes each.
const MAX_KEEPERS: usize = 256;
/// Objects with more keys than this are records of data, not layouts worth keeping.
const MAX_LAYOUT_KEYS: usize = 32;

/// The flags of the properties an object literal or an assignment makes.
const LITERAL_FLAGS: i32 =
    (qjs::JS_PROP_CONFIGURABLE | qjs::JS_PROP_WRITABLE | qjs::JS_PROP_ENUMERABLE) as i32;

fn layout_hash(prefix: u64, atom: qjs::JSAtom) -> u64 {
    (prefix.rotate_left(5) ^ atom as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Registers `host.jsonStringify(value, builtin, keepers)`: `keepers` is the array where the isolate's warm
/// layouts live (see [`WarmLayouts`]).
pub fn register<'js>(ctx: &Ctx<'js>, host: &rquickjs::Object<'js>) -> Result<()> {
    let layouts = std::cell::RefCell::new(WarmLayouts::default());
    host.set(
        "jsonStringify",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  value: Value<'js>,
                  builtin: Function<'js>,
                  keepers: rquickjs::Array<'js>|
                  -> Result<Value<'js>> {
                let warm = Warm {
                    layouts: &layouts,
                    keepers,
                };
                match stringify(&ctx, value, &builtin, Some(warm))? {
                    Some(text) => Ok(rquickjs::String::from_str(ctx, &text)?.into_value()),
                    None => Ok(Value::new_undefined(ctx)),
                }
            },
        )?,
    )
}

/// Where one call keeps the layouts it serializes warm.
struct Warm<'a, 'js> {
    layouts: &'a std::cell::RefCell<WarmLayouts>,
    keepers: rquickjs::Array<'js>,
}

/// `JSON.stringify(value)`: `Some(text)`, or `None` where the built-in returns `undefined`.
/// `builtin` is the original `JSON.stringify`, used for the values described in the module documentation.
/// With `warm`, the layouts of plain objects are kept warm there.
fn stringify<'js>(
    ctx: &Ctx<'js>,
    value: Value<'js>,
    builtin: &Function<'js>,
    warm: Option<Warm<'_, 'js>>,
) -> Result<Option<String>> {
    let mut s = Serializer {
        ctx: ctx.clone(),
        out: String::with_capacity(256),
        stack: Vec::new(),
        stack_base: stack_position(),
        to_json: OwnedAtom::new(ctx, "toJSON")?,
        classes: known_classes(ctx)?,
        builtin,
        warm,
        is_array: None,
        keys: KeyCache {
            ctx: ctx.as_raw().as_ptr(),
            map: Default::default(),
            text: String::new(),
        },
    };
    let Some(value) = s.prepare(Owned::from_value(value), &Key::Str(""))? else {
        return Ok(None);
    };
    s.write(value)?;
    Ok(Some(s.out))
}

enum Key<'a> {
    Str(&'a str),
    Atom(qjs::JSAtom),
    Index(i64),
}

struct Serializer<'a, 'js> {
    ctx: Ctx<'js>,
    out: String,
    /// Objects being serialized (for the cycle check).
    stack: Vec<*mut std::ffi::c_void>,
    /// Where the machine stack was when the call began (`MAX_STACK_BYTES`).
    stack_base: usize,
    to_json: OwnedAtom,
    classes: &'static KnownClasses,
    builtin: &'a Function<'js>,
    warm: Option<Warm<'a, 'js>>,
    /// `Array.isArray`, looked up when a proxy is met.
    is_array: Option<Function<'js>>,
    keys: KeyCache,
}

/// Quoted keys by atom, for one call.
struct KeyCache {
    ctx: *mut qjs::JSContext,
    map: std::collections::HashMap<qjs::JSAtom, (usize, usize), crate::int_hash::BuildIntHasher>,
    text: String,
}

impl Drop for KeyCache {
    fn drop(&mut self) {
        for &atom in self.map.keys() {
            // SAFETY: each atom was duplicated when it was inserted.
            unsafe { qjs::JS_FreeAtom(self.ctx, atom) };
        }
    }
}

/// A value the serializer owns, freed when dropped. Cheaper than `Value`, which also holds a reference to the
/// context: the walk takes and drops one per property.
struct Owned {
    ctx: *mut qjs::JSContext,
    raw: qjs::JSValue,
}

impl Owned {
    fn tag(&self) -> i32 {
        // SAFETY: reads the tag of a live value.
        unsafe { qjs::JS_VALUE_GET_NORM_TAG(self.raw) }
    }

    fn from_value(value: Value<'_>) -> Owned {
        let ctx = value.ctx().as_raw().as_ptr();
        // SAFETY: a new reference to a live value; `value` (and its own reference) is dropped after.
        let raw = unsafe { qjs::JS_DupValue(ctx, value.as_raw()) };
        Owned { ctx, raw }
    }

    fn into_value<'js>(self, ctx: &Ctx<'js>) -> Value<'js> {
        let raw = self.raw;
        std::mem::forget(self);
        // SAFETY: hands this reference over to the `Value`.
        unsafe { Value::from_raw(ctx.clone(), raw) }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: `raw` is a reference this value owns, in this context.
        unsafe { qjs::JS_FreeValue(self.ctx, self.raw) }
    }
}

impl<'a, 'js> Serializer<'a, 'js> {
    fn raw_ctx(&self) -> *mut qjs::JSContext {
        self.ctx.as_raw().as_ptr()
    }

    /// Takes ownership of a value returned by the C API; an exception value becomes `Err`.
    fn own(&self, raw: qjs::JSValue) -> Result<Owned> {
        let v = Owned {
            ctx: self.raw_ctx(),
            raw,
        };
        if v.tag() == qjs::JS_TAG_EXCEPTION {
            return Err(rquickjs::Error::Exception);
        }
        Ok(v)
    }

    fn key_value(&self, key: &Key<'_>) -> Result<Value<'js>> {
        match key {
            Key::Str(s) => Ok(rquickjs::String::from_str(self.ctx.clone(), s)?.into_value()),
            // SAFETY: the atom is held by the property enumeration for the duration of the call.
            Key::Atom(a) => Ok(self
                .own(unsafe { qjs::JS_AtomToString(self.raw_ctx(), *a) })?
                .into_value(&self.ctx)),
            Key::Index(i) => {
                Ok(rquickjs::String::from_str(self.ctx.clone(), &i.to_string())?.into_value())
            }
        }
    }

    /// SerializeJSONProperty up to the type dispatch: applies `toJSON`; `None` when nothing is written
    /// (undefined, functions, symbols).
    #[inline(always)]
    fn prepare(&mut self, value: Owned, key: &Key<'_>) -> Result<Option<Owned>> {
        match value.tag() {
            // Most values are primitives: no `toJSON` to look up, nothing to call.
            qjs::JS_TAG_OBJECT | qjs::JS_TAG_BIG_INT | qjs::JS_TAG_SHORT_BIG_INT => {
                self.prepare_object(value, key)
            }
            qjs::JS_TAG_UNDEFINED | qjs::JS_TAG_SYMBOL => Ok(None),
            _ => Ok(Some(value)),
        }
    }

    /// `prepare` for objects and BigInts, which may have a `toJSON`.
    #[inline(never)]
    fn prepare_object(&mut self, mut value: Owned, key: &Key<'_>) -> Result<Option<Owned>> {
        // SAFETY: `value` is live; the atom belongs to this context.
        let f =
            self.own(unsafe { qjs::JS_GetProperty(self.raw_ctx(), value.raw, self.to_json.atom) })?;
        // SAFETY: `f` is live.
        if unsafe { qjs::JS_IsFunction(self.raw_ctx(), f.raw) } {
            let f = Function::from_value(f.into_value(&self.ctx))?;
            let k = self.key_value(key)?;
            let this = value.into_value(&self.ctx);
            value = Owned::from_value(f.call::<_, Value>((rquickjs::function::This(this), k))?);
        }
        match value.tag() {
            qjs::JS_TAG_UNDEFINED | qjs::JS_TAG_SYMBOL => Ok(None),
            // SAFETY: `value` is live.
            qjs::JS_TAG_OBJECT if unsafe { qjs::JS_IsFunction(self.raw_ctx(), value.raw) } => {
                Ok(None)
            }
            _ => Ok(Some(value)),
        }
    }

    fn write(&mut self, value: Owned) -> Result<()> {
        let raw = value.raw;
        match value.tag() {
            qjs::JS_TAG_NULL => self.out.push_str("null"),
            // SAFETY (the reads below): `raw` is a live value of the matched tag.
            qjs::JS_TAG_BOOL => self
                .out
                .push_str(if unsafe { qjs::JS_VALUE_GET_BOOL(raw) } {
                    "true"
                } else {
                    "false"
                }),
            qjs::JS_TAG_INT => {
                let n = unsafe { qjs::JS_VALUE_GET_INT(raw) };
                self.out.push_str(itoa_i64(n as i64, &mut [0u8; 20]));
            }
            qjs::JS_TAG_FLOAT64 => {
                let f = unsafe { qjs::JS_VALUE_GET_FLOAT64(raw) };
                if !f.is_finite() {
                    self.out.push_str("null");
                } else if f.fract() == 0.0 && f.abs() < 1e15 {
                    // Integral and short: Number::toString prints the integer (and -0 as "0").
                    self.out.push_str(itoa_i64(f as i64, &mut [0u8; 20]));
                } else if !short_decimal(&mut self.out, f) && !number_to_string(&mut self.out, f) {
                    // QuickJS's own Number::toString.
                    let s = self.own(unsafe { qjs::JS_ToString(self.raw_ctx(), raw) })?;
                    let s = rquickjs::String::from_value(s.into_value(&self.ctx))?.to_string()?;
                    self.out.push_str(&s);
                }
            }
            qjs::JS_TAG_STRING | qjs::JS_TAG_STRING_ROPE => {
                let mut len: qjs::size_t = 0;
                // SAFETY: `raw` is a live string; the C string is freed right after use.
                let p = unsafe { qjs::JS_ToCStringLen2(self.raw_ctx(), &mut len, raw, false) };
                if p.is_null() {
                    return Err(rquickjs::Error::Exception);
                }
                // SAFETY: QuickJS returned `len` bytes at `p`.
                let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, len as usize) };
                // Lone surrogates come out as WTF-8, which is not UTF-8: the built-in escapes them.
                let ok = quote_utf8(&mut self.out, bytes);
                // SAFETY: `p` came from JS_ToCStringLen2.
                unsafe { qjs::JS_FreeCString(self.raw_ctx(), p) };
                if !ok {
                    self.builtin_value(value)?;
                }
            }
            qjs::JS_TAG_OBJECT => self.write_object(value)?,
            qjs::JS_TAG_BIG_INT | qjs::JS_TAG_SHORT_BIG_INT => {
                return Err(Exception::throw_type(
                    &self.ctx,
                    "BigInt are forbidden in JSON.stringify",
                ))
            }
            _ => self.out.push_str("null"),
        }
        Ok(())
    }

    /// Appends what the built-in `JSON.stringify` gives for `value`.
    fn builtin_value(&mut self, value: Owned) -> Result<()> {
        let text: Option<String> = self.builtin.call((value.into_value(&self.ctx),))?;
        if let Some(text) = text {
            self.out.push_str(&text);
        } else {
            self.out.push_str("null");
        }
        Ok(())
    }

    fn write_object(&mut self, value: Owned) -> Result<()> {
        // SAFETY: `value` is a live object.
        let class = unsafe { qjs::JS_GetClassID(value.raw) };
        if self.classes.wrappers.contains(&class) {
            return self.builtin_value(value);
        }
        // SAFETY: as above; the pointer is only compared, never dereferenced.
        let ptr = unsafe { qjs::JS_VALUE_GET_PTR(value.raw) };
        if self.stack.contains(&ptr) {
            return Err(Exception::throw_type(&self.ctx, "circular reference"));
        }
        if self.stack_base.saturating_sub(stack_position()) > MAX_STACK_BYTES {
            return Err(Exception::throw_internal(&self.ctx, "stack overflow"));
        }
        self.stack.push(ptr);
        // SAFETY: `value` is a live object.
        let array = if unsafe { qjs::JS_IsProxy(value.raw) } {
            let is_array = match &self.is_array {
                Some(f) => f.clone(),
                None => {
                    let array: rquickjs::Object = self.ctx.globals().get("Array")?;
                    let f: Function = array.get("isArray")?;
                    self.is_array = Some(f.clone());
                    f
                }
            };
            // SAFETY: a new reference for the call's argument.
            let arg = unsafe {
                Value::from_raw(
                    self.ctx.clone(),
                    qjs::JS_DupValue(self.raw_ctx(), value.raw),
                )
            };
            is_array.call::<_, bool>((arg,))?
        } else {
            // SAFETY: `value` is live.
            unsafe { qjs::JS_IsArray(value.raw) }
        };
        let result = if array {
            self.write_array(&value)
        } else {
            self.write_members(&value)
        };
        self.stack.pop();
        result
    }

    fn write_array(&mut self, value: &Owned) -> Result<()> {
        let mut len: i64 = 0;
        // SAFETY: `value` is a live object; `len` is written on success.
        if unsafe { qjs::JS_GetLength(self.raw_ctx(), value.raw, &mut len) } < 0 {
            return Err(rquickjs::Error::Exception);
        }
        self.out.push('[');
        for i in 0..len {
            if i > 0 {
                self.out.push(',');
            }
            // SAFETY: `value` is a live object.
            let item =
                self.own(unsafe { qjs::JS_GetPropertyInt64(self.raw_ctx(), value.raw, i) })?;
            match self.prepare(item, &Key::Index(i))? {
                Some(v) => self.write(v)?,
                None => self.out.push_str("null"),
            }
        }
        self.out.push(']');
        Ok(())
    }

    fn write_members(&mut self, value: &Owned) -> Result<()> {
        let ctx = self.raw_ctx();
        let mut tab: *mut qjs::JSPropertyEnum = std::ptr::null_mut();
        let mut len: u32 = 0;
        // SAFETY: `value` is a live object; on success `tab` holds `len` atoms, freed below.
        let r = unsafe {
            qjs::JS_GetOwnPropertyNames(
                ctx,
                &mut tab,
                &mut len,
                value.raw,
                (qjs::JS_GPN_STRING_MASK | qjs::JS_GPN_ENUM_ONLY) as _,
            )
        };
        if r < 0 {
            return Err(rquickjs::Error::Exception);
        }
        let names = PropertyEnum { ctx, tab, len };
        self.out.push('{');
        let mut first = true;
        for i in 0..names.len as usize {
            // SAFETY: `i < len`.
            let atom = unsafe { (*names.tab.add(i)).atom };
            // SAFETY: `value` is live and `atom` is held by `names`.
            let item = self.own(unsafe { qjs::JS_GetProperty(ctx, value.raw, atom) })?;
            let Some(item) = self.prepare(item, &Key::Atom(atom))? else {
                continue;
            };
            if !first {
                self.out.push(',');
            }
            first = false;
            self.write_key(atom)?;
            self.out.push(':');
            self.write(item)?;
        }
        self.out.push('}');
        self.keep_layout_warm(value, &names)
    }

    /// Keeps the layout of `value`, whose enumerable keys are `names`, warm ([`WarmLayouts`]) if it is a plain
    /// object's and not kept yet.
    fn keep_layout_warm(&mut self, value: &Owned, names: &PropertyEnum) -> Result<()> {
        let Some(warm) = &self.warm else {
            return Ok(());
        };
        let len = names.len as usize;
        // SAFETY: `value` is a live object.
        if len == 0
            || len > MAX_LAYOUT_KEYS
            || unsafe { qjs::JS_GetClassID(value.raw) } != self.classes.plain_object
        {
            return Ok(());
        }
        // The table is never borrowed across a call into JS (nothing below runs any); should that change, a busy
        // table only means this layout is not kept.
        let Ok(mut layouts) = warm.layouts.try_borrow_mut() else {
            return Ok(());
        };
        if layouts.kept.len() >= MAX_KEEPERS {
            return Ok(());
        }
        let ctx = self.raw_ctx();
        // SAFETY: `i < len` for the atoms in `names`.
        let atom = |i: usize| unsafe { (*names.tab.add(i)).atom };
        // SAFETY: `value` is a live object; the prototype comes back as a new reference, owned by `proto`.
        let proto = self.own(unsafe { qjs::JS_GetPrototype(ctx, value.raw) })?;
        let start = if proto.tag() == qjs::JS_TAG_OBJECT {
            // SAFETY: `proto` is a live object; its address is only hashed.
            unsafe { qjs::JS_VALUE_GET_PTR(proto.raw) as usize as u64 }
        } else {
            0
        };
        if layouts
            .kept
            .contains(&(0..len).fold(start, |h, i| layout_hash(h, atom(i))))
        {
            return Ok(());
        }
        let mut hash = start;
        for end in 0..len {
            hash = layout_hash(hash, atom(end));
            if layouts.kept.contains(&hash) {
                continue;
            }
            if layouts.kept.len() >= MAX_KEEPERS {
                break;
            }
            // SAFETY: `proto` is live (an object or null); the new object is owned by `keeper`.
            let keeper = self.own(unsafe { qjs::JS_NewObjectProto(ctx, proto.raw) })?;
            for i in 0..=end {
                // SAFETY: `keeper` is a fresh ordinary object and the atom is live; `undefined` needs no reference.
                if unsafe {
                    qjs::JS_DefinePropertyValue(
                        ctx,
                        keeper.raw,
                        atom(i),
                        qjs::JS_UNDEFINED,
                        LITERAL_FLAGS,
                    )
                } < 0
                {
                    return Err(rquickjs::Error::Exception);
                }
            }
            let index = layouts.kept.len() as u32;
            let raw = keeper.raw;
            std::mem::forget(keeper);
            // Defined, not set: an index setter on Array.prototype must not run here.
            // SAFETY: `keepers` is a live array; the call takes over the keeper's reference.
            if unsafe {
                qjs::JS_DefinePropertyValueUint32(
                    ctx,
                    warm.keepers.as_raw(),
                    index,
                    raw,
                    LITERAL_FLAGS,
                )
            } < 0
            {
                return Err(rquickjs::Error::Exception);
            }
            layouts.kept.insert(hash);
        }
        Ok(())
    }

    fn write_key(&mut self, atom: qjs::JSAtom) -> Result<()> {
        // Objects of one shape repeat their keys: quote each key once per call. The cache holds a reference to
        // each atom, so no atom is freed (and its number reused) while the call runs.
        if let Some(&(start, end)) = self.keys.map.get(&atom) {
            let quoted = &self.keys.text[start..end];
            self.out.push_str(quoted);
            return Ok(());
        }
        let at = self.out.len();
        self.quote_key(atom)?;
        let start = self.keys.text.len();
        self.keys.text.push_str(&self.out[at..]);
        // SAFETY: takes a reference to a live atom, released by `KeyCache::drop`.
        unsafe { qjs::JS_DupAtom(self.raw_ctx(), atom) };
        self.keys.map.insert(atom, (start, self.keys.text.len()));
        Ok(())
    }

    fn quote_key(&mut self, atom: qjs::JSAtom) -> Result<()> {
        let mut len: qjs::size_t = 0;
        // SAFETY: `atom` is live; the returned C string is freed right after it is copied.
        let p = unsafe { qjs::JS_AtomToCStringLen(self.raw_ctx(), &mut len, atom) };
        if p.is_null() {
            return Err(rquickjs::Error::Exception);
        }
        // SAFETY: QuickJS returned `len` bytes at `p`.
        let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, len as usize) };
        let ok = quote_utf8(&mut self.out, bytes);
        // SAFETY: `p` came from JS_AtomToCStringLen.
        unsafe { qjs::JS_FreeCString(self.raw_ctx(), p) };
        match ok {
            true => {}
            false => {
                let key = self.key_value(&Key::Atom(atom))?;
                self.builtin_value(Owned::from_value(key))?;
            }
        }
        Ok(())
    }
}

/// An atom this module made, freed when dropped.
struct OwnedAtom {
    ctx: *mut qjs::JSContext,
    atom: qjs::JSAtom,
}

impl OwnedAtom {
    fn new(ctx: &Ctx<'_>, name: &str) -> Result<OwnedAtom> {
        let ctx = ctx.as_raw().as_ptr();
        // SAFETY: `name` is valid for `len` bytes.
        let atom = unsafe { qjs::JS_NewAtomLen(ctx, name.as_ptr().cast(), name.len() as _) };
        if atom == qjs::JS_ATOM_NULL {
            return Err(rquickjs::Error::Exception);
        }
        Ok(OwnedAtom { ctx, atom })
    }
}

impl Drop for OwnedAtom {
    fn drop(&mut self) {
        // SAFETY: the atom was made by JS_NewAtomLen in this context.
        unsafe { qjs::JS_FreeAtom(self.ctx, self.atom) };
    }
}

/// Frees a property enumeration when dropped (also on the error paths).
struct PropertyEnum {
    ctx: *mut qjs::JSContext,
    tab: *mut qjs::JSPropertyEnum,
    len: u32,
}

impl Drop for PropertyEnum {
    fn drop(&mut self) {
        // SAFETY: `tab` came from JS_GetOwnPropertyNames with `len` entries.
        unsafe { qjs::JS_FreePropertyEnum(self.ctx, self.tab, self.len) };
    }
}

fn itoa_i64(n: i64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    let neg = n < 0;
    let mut v = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    // SAFETY: only ASCII digits and '-' were written.
    unsafe { std::str::from_utf8_unchecked(&buf[i..]) }
}

/// Number::toString(f) when f is a decimal of at most 15 significant digits with 1 to 6 of them after the point
/// (prices, ratios) and 1e-6 <= |f| < 1e15: such a decimal is the only one of 15 digits or fewer that rounds to
/// f, so it is the shortest, and Number::toString prints it in fixed notation. Returns false otherwise.
fn short_decimal(out: &mut String, f: f64) -> bool {
    let a = f.abs();
    if !(1e-6..1e15).contains(&a) {
        return false;
    }
    let mut scale: u64 = 1;
    for d in 1..=6u32 {
        scale *= 10;
        let scaled = a * scale as f64;
        if scaled >= 1e15 {
            return false;
        }
        if scaled.fract() != 0.0 {
            continue;
        }
        let mut m = scaled as u64;
        // Exact operands and a correctly rounded division: equal only when m / 10^d rounds to f.
        if m as f64 / scale as f64 != a {
            continue;
        }
        // a * 10^d can round to an integer with trailing zeros (36.55 * 100 is not integral, * 1000 is).
        let mut d = d;
        while m.is_multiple_of(10) && d > 1 {
            m /= 10;
            scale /= 10;
            d -= 1;
        }
        if f < 0.0 {
            out.push('-');
        }
        let mut buf = [0u8; 20];
        out.push_str(itoa_i64((m / scale) as i64, &mut buf));
        out.push('.');
        let frac = itoa_i64((m % scale) as i64, &mut buf);
        for _ in frac.len()..d as usize {
            out.push('0');
        }
        out.push_str(frac);
        return true;
    }
    false
}

/// Number::toString(f) for a finite number (ECMA-262 Number::toString, radix 10): the shortest digits that
/// round-trip, laid out by the exponent. Rust's formatter finds the same digits except where two candidates are
/// equally close (the specification takes the even one, Rust does not); that can only happen with 16 or more
/// digits, so those are left to the caller: returns false without writing anything.
fn number_to_string(out: &mut String, f: f64) -> bool {
    let sci = format!("{f:e}"); // "-d.ddde-x"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    if k >= 16 {
        return false;
    }
    let n = exp + 1; // the decimal point sits after n digits
    if neg {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        out.push_str(&(n - 1).abs().to_string());
    }
    true
}

/// Bytes that need a second look while quoting: the ones QuoteJSONString escapes (controls, `"` and `\`) and
/// 0xED, the first byte of a surrogate in WTF-8.
const NEEDS_CARE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[0xED] = true;
    table
};

/// QuoteJSONString for the UTF-8 that QuickJS gives for a string. `false` (and nothing written) when the bytes
/// are not UTF-8: QuickJS writes a lone surrogate as WTF-8 (0xED 0xA0..=0xBF ...), which the caller hands to the
/// built-in. Checking only for that pattern while quoting saves validating every string twice.
fn quote_utf8(out: &mut String, bytes: &[u8]) -> bool {
    if !bytes.iter().any(|&b| NEEDS_CARE[b as usize]) {
        // Most strings (names, ids, ASCII text) have nothing to escape: one scan, one copy.
        // SAFETY: QuickJS encodes strings as UTF-8 except for surrogates, which start with 0xED (none here).
        let s = unsafe { std::str::from_utf8_unchecked(bytes) };
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return true;
    }
    let mut rest = bytes;
    while let Some(i) = rest.iter().position(|&b| b == 0xED) {
        if rest.get(i + 1).is_some_and(|&next| next >= 0xA0) {
            return false;
        }
        rest = &rest[i + 1..];
    }
    // SAFETY: QuickJS encodes strings as UTF-8 except for surrogates, excluded just above.
    let s = unsafe { std::str::from_utf8_unchecked(bytes) };
    quote(out, s);
    true
}

/// QuoteJSONString for a well-formed string.
fn quote(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` with `host.jsonStringify` registered and `keepers`, an empty array, as a global.
    fn with_serializer<F: FnOnce(&Ctx<'_>)>(f: F) {
        let runtime = rquickjs::Runtime::new().unwrap();
        let context = rquickjs::Context::full(&runtime).unwrap();
        context.with(|ctx| {
            let host = rquickjs::Object::new(ctx.clone()).unwrap();
            register(&ctx, &host).unwrap();
            ctx.globals().set("host", host).unwrap();
            ctx.eval::<(), _>(
                "globalThis.keepers = []; \
                 globalThis.json = (v) => host.jsonStringify(v, JSON.stringify, keepers);",
            )
            .unwrap();
            f(&ctx);
        });
    }

    fn eval<'js, T: rquickjs::FromJs<'js>>(ctx: &Ctx<'js>, source: &str) -> T {
        match ctx.eval::<T, _>(source) {
            Ok(v) => v,
            Err(e) => panic!("{source}: {e:?} {:?}", ctx.catch()),
        }
    }

    #[test]
    fn keeps_one_object_per_layout_prefix_without_changing_the_output() {
        with_serializer(|ctx| {
            // Two layouts sharing the prefix {id}: {id}, {id,name}, {id,name,tags}; then {id,price}.
            let text: String = eval(
                ctx,
                "json([{ id: 1, name: 'a', tags: ['x'] }, { id: 2, name: 'b', tags: [] }, { id: 3 }, { id: 4, price: 1.5 }])",
            );
            assert_eq!(
                text,
                r#"[{"id":1,"name":"a","tags":["x"]},{"id":2,"name":"b","tags":[]},{"id":3},{"id":4,"price":1.5}]"#
            );
            let keys: String = eval(
                ctx,
                "keepers.map((k) => Object.keys(k).join(',')).join(' | ')",
            );
            assert_eq!(keys, "id | id,name | id,name,tags | id,price");
            assert!(eval::<bool>(
                ctx,
                "keepers.every((k) => Object.values(k).every((v) => v === undefined))"
            ));
            // The same layouts again keep nothing more.
            eval::<String>(ctx, "json({ id: 9, name: 'z', tags: null })");
            assert_eq!(eval::<i32>(ctx, "keepers.length"), 4);
            // Class instances keep their prototype; arrays, Maps and null-prototype objects are handled too.
            let text: String = eval(
                ctx,
                "class Point { constructor() { this.x = 1; this.y = 2; } } \
                 const bare = Object.create(null); bare.k = 'v'; \
                 json({ p: new Point(), m: new Map([[1, 2]]), bare })",
            );
            assert_eq!(text, r#"{"p":{"x":1,"y":2},"m":{},"bare":{"k":"v"}}"#);
            assert!(eval::<bool>(
                ctx,
                "keepers.some((k) => Object.getPrototypeOf(k) === Point.prototype && Object.keys(k).join() === 'x,y')"
            ));
            assert!(eval::<bool>(
                ctx,
                "keepers.some((k) => Object.getPrototypeOf(k) === null)"
            ));
        });
    }

    #[test]
    fn keeps_a_bounded_number_of_layouts() {
        with_serializer(|ctx| {
            // 400 layouts of 2 keys each, and one of more keys than a layout may have.
            let text: String = eval(
                ctx,
                "const many = []; for (let i = 0; i < 400; i++) many.push({ ['k' + i]: i, v: i }); \
                 const wide = {}; for (let i = 0; i < 40; i++) wide['w' + i] = i; \
                 json([wide, ...many])",
            );
            assert!(text.starts_with(r#"[{"w0":0,"#) && text.ends_with(r#"{"k399":399,"v":399}]"#));
            assert_eq!(eval::<usize>(ctx, "keepers.length"), MAX_KEEPERS);
            assert!(eval::<bool>(ctx, "keepers.every((k) => !('w0' in k))"));
        });
    }

    #[test]
    fn quote_utf8_copies_plain_strings_and_refuses_lone_surrogates() {
        let mut out = String::new();
        assert!(quote_utf8(&mut out, b"item-1"));
        assert!(quote_utf8(&mut out, "é😀\u{7f}".as_bytes()));
        assert!(quote_utf8(&mut out, b"a\tb\"c"));
        // U+D7FF and U+E000 start with 0xED / 0xEE but are not surrogates.
        assert!(quote_utf8(&mut out, "\u{d7ff}".as_bytes()));
        assert_eq!(out, "\"item-1\"\"é😀\u{7f}\"\"a\\tb\\\"c\"\"\u{d7ff}\"");
        // A lone surrogate as QuickJS writes it (WTF-8): nothing written, the caller falls back.
        let before = out.len();
        assert!(!quote_utf8(&mut out, &[b'x', 0xED, 0xA0, 0x80]));
        assert_eq!(out.len(), before);
    }

    #[test]
    fn quotes_like_json_stringify() {
        let mut out = String::new();
        quote(&mut out, "a\"b\\c\n\u{1}\u{7f}é😀");
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001\u{7f}é😀\"");
        assert_eq!(itoa_i64(-1234, &mut [0; 20]), "-1234");
        assert_eq!(itoa_i64(i64::MIN, &mut [0; 20]), "-9223372036854775808");
        assert_eq!(itoa_i64(0, &mut [0; 20]), "0");
        for (f, js) in [
            (1.5, "1.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (0.000001, "0.000001"),
            (123456789012345680000.0, "123456789012345680000"),
            (-2.5e-10, "-2.5e-10"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (2251799813685248.5, "2251799813685248.5"),
            (1e15, "1000000000000000"),
            (12.5, "12.5"),
            (-0.05, "-0.05"),
            (0.000123, "0.000123"),
            (99999999.99, "99999999.99"),
            (36.55, "36.55"),
            (1.1, "1.1"),
            (123456789.123456, "123456789.123456"),
        ] {
            let mut out = String::new();
            if short_decimal(&mut out, f) {
                assert_eq!(out, js, "{f}");
                out.clear();
            }
            if number_to_string(&mut out, f) {
                assert_eq!(out, js, "{f}");
            } else {
                assert!(js.chars().filter(char::is_ascii_digit).count() >= 16, "{f}");
            }
        }
    }
}
