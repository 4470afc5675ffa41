// Web Crypto (js/crypto.js + src/web/crypto.rs). Vectors: FIPS 180 "abc", RFC 1321, RFC 4231, RFC 2202.

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}
function unhex(s) {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}
function ascii(s) {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

test("crypto globals and classes", () => {
  assert(crypto instanceof Crypto, "crypto is a Crypto");
  assert(crypto.subtle instanceof SubtleCrypto, "crypto.subtle is a SubtleCrypto");
  assert(crypto.subtle === crypto.subtle, "subtle is cached");
  assertEq(Object.prototype.toString.call(crypto), "[object Crypto]");
  assertThrows(() => new Crypto(), TypeError);
  assertThrows(() => new SubtleCrypto(), TypeError);
  assertThrows(() => new CryptoKey(), TypeError);
  assertEq(typeof crypto.DigestStream, "function");
});

test("getRandomValues fills integer arrays in place", () => {
  const a = new Uint8Array(32);
  assert(crypto.getRandomValues(a) === a, "returns its argument");
  assert(a.some((x) => x !== 0), "bytes were written");
  const wide = new Uint32Array(8);
  crypto.getRandomValues(wide);
  assert(wide.some((x) => x !== 0), "Uint32Array filled");
  crypto.getRandomValues(new BigInt64Array(2));
  crypto.getRandomValues(new Uint8ClampedArray(4));
  crypto.getRandomValues(new Uint8Array(0));
  // A view with an offset only touches its own bytes.
  const buf = new Uint8Array(48);
  crypto.getRandomValues(new Uint8Array(buf.buffer, 16, 16));
  assert(buf.subarray(0, 16).every((x) => x === 0) && buf.subarray(32).every((x) => x === 0), "outside untouched");
  crypto.getRandomValues(new Uint8Array(65536));
});

test("getRandomValues errors", () => {
  // Not an integer-typed array: a TypeMismatchError DOMException (Web Crypto spec, workerd, Node).
  for (const view of [new Float32Array(4), new Float64Array(4), new DataView(new ArrayBuffer(4))]) {
    const e = assertThrows(() => crypto.getRandomValues(view), DOMException);
    assertEq(e.name, "TypeMismatchError");
  }
  assertThrows(() => crypto.getRandomValues([1, 2, 3]), TypeError);
  assertThrows(() => crypto.getRandomValues(new ArrayBuffer(4)), TypeError);
  let error;
  try {
    crypto.getRandomValues(new Uint8Array(65537));
  } catch (e) {
    error = e;
  }
  assert(error instanceof DOMException, "QuotaExceededError is a DOMException");
  assertEq(error.name, "QuotaExceededError");
  assertEq(
    error.message,
    "The ArrayBufferView's byte length (65537) exceeds the number of bytes of entropy available via this API (65536)",
  );
  assertThrows(() => crypto.getRandomValues(new Uint32Array(16385)), DOMException, "(65540)");
});

test("randomUUID is a v4 UUID", () => {
  const seen = new Set();
  for (let i = 0; i < 50; i++) {
    const id = crypto.randomUUID();
    assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id), id);
    seen.add(id);
  }
  assertEq(seen.size, 50);
});

test("subtle.digest: FIPS 180 and RFC 1321 vectors", async () => {
  const abc = ascii("abc");
  const expected = {
    "SHA-1": "a9993e364706816aba3e25717850c26c9cd0d89d",
    "SHA-256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "SHA-384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
    "SHA-512":
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    "MD5": "900150983cd24fb0d6963f7d28e17f72",
  };
  for (const [name, want] of Object.entries(expected)) {
    const got = await crypto.subtle.digest(name, abc);
    assert(got instanceof ArrayBuffer, `${name} resolves to an ArrayBuffer`);
    assertEq(hex(got), want, name);
    assertEq(hex(await crypto.subtle.digest({ name: name.toLowerCase() }, abc.buffer)), want, `${name} {name}, lower case`);
  }
  assertEq(
    hex(await crypto.subtle.digest("sha-256", new DataView(ascii("xxabcyy").buffer, 2, 3))),
    expected["SHA-256"],
  );
  assertEq(hex(await crypto.subtle.digest("SHA-256", new Uint8Array(0))),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assertEq(hex(await crypto.subtle.digest("MD5", ascii("message digest"))), "f96b697d7cb7938d525a2f31aaf161d0");
});

test("subtle.digest: errors reject", async () => {
  await assertRejects(crypto.subtle.digest("SHA-3", new Uint8Array(1)), DOMException, "Unrecognized name.");
  await assertRejects(() => crypto.subtle.digest("SHA-256", "a string"), TypeError);
  await assertRejects(() => crypto.subtle.digest({}, new Uint8Array(1)), TypeError);
  let error;
  try {
    await crypto.subtle.digest("AES-GCM", new Uint8Array(1));
  } catch (e) {
    error = e;
  }
  assertEq(error.name, "NotSupportedError");
});

// RFC 4231 test case 2 ("Jefe") and test case 1.
const RFC4231 = [
  {
    key: "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
    data: "4869205468657265",
    "SHA-256": "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    "SHA-384": "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
    "SHA-512":
      "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
  },
  {
    key: "4a656665",
    data: "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
    "SHA-1": "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    "SHA-256": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    "SHA-384": "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
    "SHA-512":
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
  },
];

test("HMAC: importKey raw, sign and verify (RFC 4231 / RFC 2202)", async () => {
  for (const vector of RFC4231) {
    for (const hash of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) {
      if (!(hash in vector)) continue;
      const key = await crypto.subtle.importKey("raw", unhex(vector.key), { name: "HMAC", hash }, false, ["sign", "verify"]);
      assertEq(key.type, "secret");
      assertEq(key.extractable, false);
      assertEq(key.algorithm.name, "HMAC");
      assertEq(key.algorithm.hash.name, hash);
      assertEq(key.algorithm.length, vector.key.length * 4);
      assertEq(key.usages, ["sign", "verify"]);
      const mac = await crypto.subtle.sign("HMAC", key, unhex(vector.data));
      assert(mac instanceof ArrayBuffer, "sign resolves to an ArrayBuffer");
      assertEq(hex(mac), vector[hash], hash);
      assertEq(await crypto.subtle.verify({ name: "hmac" }, key, mac, unhex(vector.data)), true);
      const bad = new Uint8Array(mac);
      bad[0] ^= 1;
      assertEq(await crypto.subtle.verify("HMAC", key, bad, unhex(vector.data)), false);
      assertEq(await crypto.subtle.verify("HMAC", key, new Uint8Array(mac).slice(1), unhex(vector.data)), false);
    }
  }
});

test("HMAC: key objects, usages and errors", async () => {
  const key = await crypto.subtle.importKey("raw", ascii("secret"), { name: "hmac", hash: { name: "sha-256" } }, true, ["verify", "sign", "sign"]);
  assert(key instanceof CryptoKey, "a CryptoKey");
  assertEq(Object.prototype.toString.call(key), "[object CryptoKey]");
  assertEq(key.algorithm.name, "HMAC");
  assertEq(key.algorithm.hash.name, "SHA-256");
  assertEq(key.usages, ["sign", "verify"]);
  assert(key.algorithm === key.algorithm && key.usages === key.usages, "cached objects");

  const verifyOnly = await crypto.subtle.importKey("raw", ascii("k"), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  await assertRejects(crypto.subtle.sign("HMAC", verifyOnly, ascii("d")), DOMException, "sign");
  let error;
  try {
    await crypto.subtle.sign("HMAC", verifyOnly, ascii("d"));
  } catch (e) {
    error = e;
  }
  assertEq(error.name, "InvalidAccessError");

  await assertRejects(crypto.subtle.importKey("raw", ascii("k"), { name: "HMAC", hash: "SHA-256" }, false, ["encrypt"]), DOMException);
  await assertRejects(crypto.subtle.importKey("raw", ascii("k"), { name: "HMAC", hash: "SHA-256" }, false, []), DOMException, "empty");
  await assertRejects(crypto.subtle.importKey("raw", ascii("k"), { name: "HMAC", hash: "SHA-256" }, false, ["bogus"]), TypeError);
  await assertRejects(crypto.subtle.importKey("raw", ascii("k"), { name: "HMAC" }, false, ["sign"]), TypeError);
  await assertRejects(crypto.subtle.importKey("raw", new Uint8Array(0), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), DOMException);
  await assertRejects(crypto.subtle.importKey("raw", ascii("k"), { name: "AES-GCM" }, false, ["encrypt"]), DOMException);
  await assertRejects(crypto.subtle.importKey("spki", ascii("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), DOMException);
  await assertRejects(crypto.subtle.importKey("nope", ascii("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), TypeError);
  await assertRejects(crypto.subtle.sign("HMAC", {}, ascii("d")), TypeError);
  // length: must be within the last byte of the key data.
  const k15 = await crypto.subtle.importKey("raw", ascii("ab"), { name: "HMAC", hash: "SHA-1", length: 15 }, false, ["sign"]);
  assertEq(k15.algorithm.length, 15);
  await assertRejects(crypto.subtle.importKey("raw", ascii("ab"), { name: "HMAC", hash: "SHA-1", length: 8 }, false, ["sign"]), DOMException);
  await assertRejects(crypto.subtle.importKey("raw", ascii("ab"), { name: "HMAC", hash: "SHA-1", length: 17 }, false, ["sign"]), DOMException);
});

test("HMAC: exportKey raw/jwk and importKey jwk", async () => {
  const raw = unhex("4a656665");
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, true, ["sign", "verify"]);
  const exported = await crypto.subtle.exportKey("raw", key);
  assert(exported instanceof ArrayBuffer, "raw export is an ArrayBuffer");
  assertEq(hex(exported), "4a656665");
  const jwk = await crypto.subtle.exportKey("jwk", key);
  assertEq(jwk.kty, "oct");
  assertEq(jwk.k, "SmVmZQ");
  assertEq(jwk.alg, "HS256");
  assertEq(jwk.key_ops, ["sign", "verify"]);
  assertEq(jwk.ext, true);
  const back = await crypto.subtle.importKey("jwk", jwk, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  assertEq(hex(await crypto.subtle.sign("HMAC", back, unhex(RFC4231[1].data))), RFC4231[1]["SHA-256"]);

  const k = await crypto.subtle.importKey("jwk", { kty: "oct", k: "_-8" }, { name: "HMAC", hash: "SHA-512" }, true, ["sign"]);
  assertEq(hex(await crypto.subtle.exportKey("raw", k)), "ffef");
  assertEq((await crypto.subtle.exportKey("jwk", k)).alg, "HS512");

  await assertRejects(crypto.subtle.importKey("jwk", { kty: "RSA", k: "AA" }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), DOMException);
  await assertRejects(crypto.subtle.importKey("jwk", { kty: "oct", k: "AA", alg: "HS512" }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), DOMException);
  await assertRejects(crypto.subtle.importKey("jwk", { kty: "oct", k: "AA", ext: false }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), DOMException);
  await assertRejects(crypto.subtle.importKey("jwk", { kty: "oct", k: "AA", key_ops: ["verify"] }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), DOMException);
  await assertRejects(crypto.subtle.importKey("jwk", { kty: "oct", k: "A*" }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), DOMException);

  const hidden = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  let error;
  try {
    await crypto.subtle.exportKey("raw", hidden);
  } catch (e) {
    error = e;
  }
  assertEq(error.name, "InvalidAccessError");
});

test("HMAC: generateKey", async () => {
  const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-512" }, true, ["sign", "verify"]);
  assert(key instanceof CryptoKey, "generateKey resolves to a CryptoKey");
  assertEq(key.algorithm.length, 1024);
  assertEq((await crypto.subtle.exportKey("raw", key)).byteLength, 128);
  const k256 = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 128 }, true, ["sign"]);
  assertEq(k256.algorithm.length, 128);
  assertEq((await crypto.subtle.exportKey("raw", k256)).byteLength, 16);
  const mac = await crypto.subtle.sign("HMAC", key, ascii("data"));
  assertEq(mac.byteLength, 64);
  assertEq(await crypto.subtle.verify("HMAC", key, mac, ascii("data")), true);
  await assertRejects(crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, []), DOMException);
  await assertRejects(crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]), DOMException);
});

test("unsupported operations reject with NotSupportedError", async () => {
  const hmacKey = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  for (const start of [
    () => crypto.subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, hmacKey, new Uint8Array(1)),
    () => crypto.subtle.decrypt({ name: "RSA-OAEP" }, hmacKey, new Uint8Array(1)),
    () => crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(8), info: new Uint8Array(0) }, hmacKey, 256),
    () => crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]),
    () => crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign"]),
    () => crypto.subtle.importKey("raw", new Uint8Array(16), { name: "AES-GCM" }, false, ["encrypt"]),
  ]) {
    let error;
    try {
      await start();
    } catch (e) {
      error = e;
    }
    assert(error instanceof DOMException, "rejects with a DOMException");
    assertEq(error.name, "NotSupportedError");
  }
});

test("subtle.timingSafeEqual (Cloudflare extension)", () => {
  assertEq(crypto.subtle.timingSafeEqual(ascii("abc"), ascii("abc")), true);
  assertEq(crypto.subtle.timingSafeEqual(ascii("abc").buffer, new DataView(ascii("abd").buffer)), false);
  assertEq(crypto.subtle.timingSafeEqual(new ArrayBuffer(0), new Uint8Array(0)), true);
  assertThrows(() => crypto.subtle.timingSafeEqual(ascii("abc"), ascii("ab")), TypeError);
  assertThrows(() => crypto.subtle.timingSafeEqual("abc", "abc"), TypeError);
});

test("DigestStream (Cloudflare extension)", async () => {
  assertThrows(() => new crypto.DigestStream("SHA-3"), DOMException);
  const stream = new crypto.DigestStream("SHA-256");
  assert(stream instanceof WritableStream, "a WritableStream");
  assert(stream instanceof crypto.DigestStream, "a DigestStream");
  assert(stream.digest instanceof Promise, "digest is a promise");
  const writer = stream.getWriter();
  await writer.write(ascii("a"));
  await writer.write(ascii("bc").buffer);
  await writer.close();
  const digest = await stream.digest;
  assert(digest instanceof ArrayBuffer, "digest resolves to an ArrayBuffer");
  assertEq(hex(digest), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assertEq(stream.bytesWritten, 3);

  const empty = new crypto.DigestStream({ name: "md5" });
  await empty.getWriter().close();
  assertEq(hex(await empty.digest), "d41d8cd98f00b204e9800998ecf8427e");
});
