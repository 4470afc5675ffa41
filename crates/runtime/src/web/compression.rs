//! The Rust half of `CompressionStream` / `DecompressionStream` (`js/compression.js`): one streaming
//! compressor or decompressor per stream, fed chunk by chunk, for the formats "gzip", "deflate" (zlib) and
//! "deflate-raw", on flate2's miniz_oxide backend. Gzip's header and trailer are written and checked here (the
//! backend does raw deflate and zlib only).
//!
//! Contract:
//!
//! - `host.compressionCodec(format, decompress)` → a function `codec(chunk)`, or throws `TypeError` for a format
//!   other than the three above. The function keeps the stream's state:
//!   - `codec(bytes)` (a `Uint8Array`) feeds one chunk and returns the output it produced, an array of non-empty
//!     `Uint8Array`s of at most 16 KiB each (often empty when compressing: deflate holds data back);
//!   - `codec(undefined)` ends the stream: returns the last output (the compressor's final block and trailer) and
//!     frees the state;
//!   - `codec(null)` frees the state without output (the stream was cancelled or aborted).
//!
//!   A decompressor throws `TypeError` for corrupt input, for data after the end of the compressed stream, and
//!   at the end when the compressed stream was incomplete; the state is freed then too. Any call after the state
//!   was freed throws `TypeError`.

use crate::host::bytes_of;
use flate2::{Compress, Compression, Crc, Decompress, FlushCompress, FlushDecompress, Status};
use rquickjs::{Array, Ctx, Exception, Function, Object, Result, TypedArray, Value};
use std::cell::RefCell;

/// The largest output piece handed to JS: decompressed data arrives in pieces of this size at most, so a small
/// chunk that inflates to a lot is turned into JS values (which the isolate's memory limit counts) as it goes.
pub const PIECE: usize = 16 * 1024;

/// The gzip header this compressor writes: no flags, no modification time, the default compression level,
/// operating system "unknown".
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

/// gzip header flags (RFC 1952, section 2.3.1).
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const RESERVED_FLAGS: u8 = 0xe0;

/// A Compression Streams format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Gzip,
    /// The zlib format (RFC 1950), which the spec calls "deflate".
    Deflate,
    DeflateRaw,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "gzip" => Some(Format::Gzip),
            "deflate" => Some(Format::Deflate),
            "deflate-raw" => Some(Format::DeflateRaw),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Gzip => "gzip",
            Format::Deflate => "deflate",
            Format::DeflateRaw => "deflate-raw",
        }
    }
}

/// Why decompression failed; `Display` is the message of the `TypeError` the stream errors with.
#[derive(Debug, PartialEq, Eq)]
pub enum DecompressError {
    NotGzip,
    BadGzipHeader,
    Corrupt(Format),
    ChecksumMismatch,
    TrailingData(Format),
    Truncated(Format),
}

impl std::fmt::Display for DecompressError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecompressError::NotGzip => {
                f.write_str("Decompression failed: the input is not gzip data (wrong magic bytes).")
            }
            DecompressError::BadGzipHeader => f.write_str(
                "Decompression failed: the gzip header is invalid (unknown compression method or flags).",
            ),
            DecompressError::Corrupt(format) => write!(
                f,
                "Decompression failed: the input is not valid {} data.",
                format.name()
            ),
            DecompressError::ChecksumMismatch => f.write_str(
                "Decompression failed: the gzip checksum or length does not match the data.",
            ),
            DecompressError::TrailingData(format) => write!(
                f,
                "Decompression failed: there is data after the end of the {} stream.",
                format.name()
            ),
            DecompressError::Truncated(format) => write!(
                f,
                "Decompression failed: the {} stream ended before it was complete.",
                format.name()
            ),
        }
    }
}

/// Collects output into pieces of at most `PIECE` bytes and hands each full piece to `emit`.
struct Output<'a, E> {
    buf: Vec<u8>,
    emit: &'a mut dyn FnMut(&[u8]) -> std::result::Result<(), E>,
}

impl<'a, E> Output<'a, E> {
    fn new(emit: &'a mut dyn FnMut(&[u8]) -> std::result::Result<(), E>) -> Self {
        Output {
            buf: Vec::new(),
            emit,
        }
    }

    /// Makes room for more output, handing a full piece over first.
    fn room(&mut self) -> std::result::Result<&mut Vec<u8>, E> {
        if self.buf.capacity() == 0 {
            self.buf.reserve_exact(PIECE);
        } else if self.buf.len() == self.buf.capacity() {
            (self.emit)(&self.buf)?;
            self.buf.clear();
        }
        Ok(&mut self.buf)
    }

    fn extend(&mut self, mut data: &[u8]) -> std::result::Result<(), E> {
        while !data.is_empty() {
            let buf = self.room()?;
            let n = data.len().min(buf.capacity() - buf.len());
            buf.extend_from_slice(&data[..n]);
            data = &data[n..];
        }
        Ok(())
    }

    fn is_full(&self) -> bool {
        self.buf.capacity() > 0 && self.buf.len() == self.buf.capacity()
    }

    fn finish(self) -> std::result::Result<(), E> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            (self.emit)(&self.buf)
        }
    }
}

/// A streaming compressor for one `CompressionStream`.
pub struct Compressor {
    format: Format,
    deflate: Compress,
    /// CRC-32 and length of the input, for the gzip trailer.
    crc: Crc,
    header_written: bool,
}

impl Compressor {
    pub fn new(format: Format) -> Compressor {
        Compressor {
            format,
            deflate: Compress::new(Compression::default(), format == Format::Deflate),
            crc: Crc::new(),
            header_written: false,
        }
    }

    /// Compresses `input`; with `finish`, also ends the stream (final block, then the format's trailer). Output
    /// goes to `emit` in pieces of at most `PIECE` bytes; none when deflate holds the data back.
    pub fn push<E>(
        &mut self,
        mut input: &[u8],
        finish: bool,
        emit: &mut dyn FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut out = Output::new(emit);
        if self.format == Format::Gzip {
            if !self.header_written {
                out.extend(&GZIP_HEADER)?;
                self.header_written = true;
            }
            self.crc.update(input);
        }
        let flush = if finish {
            FlushCompress::Finish
        } else {
            FlushCompress::None
        };
        loop {
            let buf = out.room()?;
            let (in_before, out_before) = (self.deflate.total_in(), self.deflate.total_out());
            // The backend has no failure mode for valid arguments; a failure would end the stream like the end
            // of input does.
            let status = self
                .deflate
                .compress_vec(input, buf, flush)
                .unwrap_or(Status::StreamEnd);
            let consumed = (self.deflate.total_in() - in_before) as usize;
            let produced = self.deflate.total_out() - out_before;
            input = &input[consumed..];
            if status == Status::StreamEnd {
                break;
            }
            if out.is_full() {
                continue;
            }
            if (!finish && input.is_empty()) || (consumed == 0 && produced == 0) {
                break;
            }
        }
        if finish && self.format == Format::Gzip {
            out.extend(&self.crc.sum().to_le_bytes())?;
            out.extend(&self.crc.amount().to_le_bytes())?;
        }
        out.finish()
    }
}

/// Where a decompressor is in its input.
enum Stage {
    /// Reading the gzip header; holds the header bytes seen so far.
    GzipHeader(Vec<u8>),
    Body,
    /// Reading the gzip trailer; holds its bytes seen so far.
    GzipTrailer(Vec<u8>),
    Done,
}

/// A streaming decompressor for one `DecompressionStream`.
pub struct Decompressor {
    format: Format,
    inflate: Decompress,
    stage: Stage,
    /// CRC-32 and length of the output, checked against the gzip trailer.
    crc: Crc,
}

/// What parsing the start of a gzip member found.
enum GzipHeader {
    /// The header is this many bytes long.
    Complete(usize),
    NeedMore,
}

fn parse_gzip_header(data: &[u8]) -> std::result::Result<GzipHeader, DecompressError> {
    if data.first().is_some_and(|&b| b != 0x1f) || data.get(1).is_some_and(|&b| b != 0x8b) {
        return Err(DecompressError::NotGzip);
    }
    if data.len() < 10 {
        return Ok(GzipHeader::NeedMore);
    }
    let flags = data[3];
    if data[2] != 8 || flags & RESERVED_FLAGS != 0 {
        return Err(DecompressError::BadGzipHeader);
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let Some(len) = data.get(at..at + 2) else {
            return Ok(GzipHeader::NeedMore);
        };
        at += 2 + u16::from_le_bytes([len[0], len[1]]) as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            match data
                .get(at..)
                .and_then(|rest| rest.iter().position(|&b| b == 0))
            {
                Some(nul) => at += nul + 1,
                None => return Ok(GzipHeader::NeedMore),
            }
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    if data.len() < at {
        return Ok(GzipHeader::NeedMore);
    }
    Ok(GzipHeader::Complete(at))
}

impl Decompressor {
    pub fn new(format: Format) -> Decompressor {
        Decompressor {
            format,
            inflate: Decompress::new(format == Format::Deflate),
            stage: if format == Format::Gzip {
                Stage::GzipHeader(Vec::new())
            } else {
                Stage::Body
            },
            crc: Crc::new(),
        }
    }

    /// Decompresses `input`, handing the output to `emit` in pieces of at most `PIECE` bytes. With `finish`, the
    /// compressed stream must be complete.
    pub fn push<E: From<DecompressError>>(
        &mut self,
        input: &[u8],
        finish: bool,
        emit: &mut dyn FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut out = Output::new(emit);
        let mut input = input;
        // Bytes after a gzip header that arrived split over several chunks.
        let after_header: Vec<u8>;
        if let Stage::GzipHeader(seen) = &mut self.stage {
            if !input.is_empty() {
                let parsed = if seen.is_empty() {
                    parse_gzip_header(input)?
                } else {
                    seen.extend_from_slice(input);
                    parse_gzip_header(seen)?
                };
                match parsed {
                    GzipHeader::NeedMore => {
                        if seen.is_empty() {
                            seen.extend_from_slice(input);
                        }
                        input = &[];
                    }
                    GzipHeader::Complete(len) if seen.is_empty() => {
                        input = &input[len..];
                        self.stage = Stage::Body;
                    }
                    GzipHeader::Complete(len) => {
                        after_header = seen.split_off(len);
                        input = &after_header;
                        self.stage = Stage::Body;
                    }
                }
            }
        }
        while !input.is_empty() {
            match &mut self.stage {
                // Not reached: the header is parsed above, and `input` is empty while it is incomplete.
                Stage::GzipHeader(_) => break,
                Stage::Body => {
                    let rest = self.inflate_some(input, &mut out)?;
                    input = &input[input.len() - rest..];
                }
                Stage::GzipTrailer(seen) => {
                    let n = input.len().min(8 - seen.len());
                    seen.extend_from_slice(&input[..n]);
                    input = &input[n..];
                    if seen.len() == 8 {
                        let crc = u32::from_le_bytes([seen[0], seen[1], seen[2], seen[3]]);
                        let len = u32::from_le_bytes([seen[4], seen[5], seen[6], seen[7]]);
                        if crc != self.crc.sum() || len != self.crc.amount() {
                            return Err(DecompressError::ChecksumMismatch.into());
                        }
                        self.stage = Stage::Done;
                    }
                }
                Stage::Done => return Err(DecompressError::TrailingData(self.format).into()),
            }
        }
        if finish && !matches!(self.stage, Stage::Done) {
            return Err(DecompressError::Truncated(self.format).into());
        }
        out.finish()
    }

    /// Inflates from `input` until it is used up or the compressed stream ends; returns how many input bytes are
    /// left over (only after the end of the stream).
    fn inflate_some<E: From<DecompressError>>(
        &mut self,
        mut input: &[u8],
        out: &mut Output<'_, E>,
    ) -> std::result::Result<usize, E> {
        loop {
            let buf = out.room()?;
            let start = buf.len();
            let (in_before, out_before) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self
                .inflate
                .decompress_vec(input, buf, FlushDecompress::None)
                .map_err(|_| DecompressError::Corrupt(self.format))?;
            if self.format == Format::Gzip {
                self.crc.update(&buf[start..]);
            }
            let consumed = (self.inflate.total_in() - in_before) as usize;
            let produced = self.inflate.total_out() - out_before;
            input = &input[consumed..];
            if status == Status::StreamEnd {
                self.stage = if self.format == Format::Gzip {
                    Stage::GzipTrailer(Vec::with_capacity(8))
                } else {
                    Stage::Done
                };
                return Ok(input.len());
            }
            if out.is_full() {
                continue;
            }
            if input.is_empty() || (consumed == 0 && produced == 0) {
                return Ok(0);
            }
        }
    }
}

/// A compressor or decompressor, as kept by the function `host.compressionCodec` returns.
pub enum Codec {
    Compress(Compressor),
    Decompress(Decompressor),
}

impl Codec {
    /// Feeds `input` (and with `finish`, ends the stream), handing output pieces to `emit`.
    pub fn push<E: From<DecompressError>>(
        &mut self,
        input: &[u8],
        finish: bool,
        emit: &mut dyn FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        match self {
            Codec::Compress(c) => c.push(input, finish, emit),
            Codec::Decompress(d) => d.push(input, finish, emit),
        }
    }
}

/// A failure while running a codec from JS: a decompression error, or a JS error creating an output array
/// (the memory limit).
enum PushError {
    Data(DecompressError),
    Js(rquickjs::Error),
}

impl From<DecompressError> for PushError {
    fn from(e: DecompressError) -> Self {
        PushError::Data(e)
    }
}

pub fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    host.set(
        "compressionCodec",
        Function::new(ctx.clone(), compression_codec)?.with_name("compressionCodec")?,
    )?;
    Ok(())
}

fn compression_codec<'js>(
    ctx: Ctx<'js>,
    format: String,
    decompress: bool,
) -> Result<Function<'js>> {
    let Some(format) = Format::from_name(&format) else {
        return Err(Exception::throw_type(
            &ctx,
            &format!(
                "Unsupported compression format: '{format}'. The formats are \"gzip\", \"deflate\" and \"deflate-raw\"."
            ),
        ));
    };
    let codec = if decompress {
        Codec::Decompress(Decompressor::new(format))
    } else {
        Codec::Compress(Compressor::new(format))
    };
    let state = RefCell::new(Some(codec));
    Function::new(
        ctx,
        move |ctx: Ctx<'js>, chunk: Value<'js>| -> Result<Array<'js>> {
            let mut slot = state.borrow_mut();
            if chunk.is_null() {
                *slot = None;
                return Array::new(ctx);
            }
            let Some(codec) = slot.as_mut() else {
                return Err(Exception::throw_type(
                    &ctx,
                    "This compression stream has already finished.",
                ));
            };
            let finish = chunk.is_undefined();
            let input = if finish {
                Vec::new()
            } else {
                bytes_of(&TypedArray::<u8>::from_value(chunk)?)
            };
            let pieces = Array::new(ctx.clone())?;
            let mut count = 0;
            let outcome = codec.push(&input, finish, &mut |piece: &[u8]| {
                let array =
                    TypedArray::<u8>::new_copy(ctx.clone(), piece).map_err(PushError::Js)?;
                pieces.set(count, array).map_err(PushError::Js)?;
                count += 1;
                Ok(())
            });
            if finish || outcome.is_err() {
                *slot = None;
            }
            match outcome {
                Ok(()) => Ok(pieces),
                Err(PushError::Js(e)) => Err(e),
                Err(PushError::Data(e)) => Err(Exception::throw_type(&ctx, &e.to_string())),
            }
        },
    )?
    .with_name("codec")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// Runs `input` through a fresh compressor in the given chunks and returns the concatenated output and the
    /// number of pieces it came in.
    fn compress_chunks(format: Format, chunks: &[&[u8]]) -> (Vec<u8>, usize) {
        let mut c = Compressor::new(format);
        let mut out = Vec::new();
        let mut pieces = 0;
        let mut emit = |p: &[u8]| -> std::result::Result<(), DecompressError> {
            assert!(!p.is_empty() && p.len() <= PIECE);
            out.extend_from_slice(p);
            pieces += 1;
            Ok(())
        };
        for chunk in chunks {
            c.push(chunk, false, &mut emit).unwrap();
        }
        c.push(&[], true, &mut emit).unwrap();
        (out, pieces)
    }

    fn decompress_chunks(
        format: Format,
        chunks: &[&[u8]],
    ) -> std::result::Result<Vec<u8>, DecompressError> {
        let mut d = Decompressor::new(format);
        let mut out = Vec::new();
        let mut emit = |p: &[u8]| -> std::result::Result<(), DecompressError> {
            assert!(!p.is_empty() && p.len() <= PIECE);
            out.extend_from_slice(p);
            Ok(())
        };
        for chunk in chunks {
            d.push(chunk, false, &mut emit)?;
        }
        d.push(&[], true, &mut emit)?;
        Ok(out)
    }

    fn sample(len: usize) -> Vec<u8> {
        // Compressible but not trivial: words with a counter.
        let mut s = Vec::with_capacity(len);
        let mut i = 0u32;
        while s.len() < len {
            s.extend_from_slice(format!("line {i} of the sample text; ").as_bytes());
            i += 1;
        }
        s.truncate(len);
        s
    }

    #[test]
    fn format_names() {
        assert_eq!(Format::from_name("gzip"), Some(Format::Gzip));
        assert_eq!(Format::from_name("deflate"), Some(Format::Deflate));
        assert_eq!(Format::from_name("deflate-raw"), Some(Format::DeflateRaw));
        assert_eq!(Format::from_name("GZIP"), None);
        assert_eq!(Format::from_name("br"), None);
    }

    #[test]
    fn gzip_output_is_read_by_flate2s_own_decoder() {
        let data = sample(100_000);
        let (gz, _) = compress_chunks(
            Format::Gzip,
            &[&data[..10], &data[10..60_000], &data[60_000..]],
        );
        assert_eq!(&gz[..10], &GZIP_HEADER);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn deflate_is_zlib_and_deflate_raw_is_bare() {
        let data = sample(5_000);
        let (z, _) = compress_chunks(Format::Deflate, &[&data]);
        assert_eq!(z[0], 0x78, "zlib header");
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(&z[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
        let (raw, _) = compress_chunks(Format::DeflateRaw, &[&data]);
        let mut back = Vec::new();
        flate2::read::DeflateDecoder::new(&raw[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn empty_input_compresses_to_a_valid_empty_stream() {
        for format in [Format::Gzip, Format::Deflate, Format::DeflateRaw] {
            let (c, _) = compress_chunks(format, &[]);
            assert!(!c.is_empty(), "{format:?}");
            assert_eq!(decompress_chunks(format, &[&c]).unwrap(), b"", "{format:?}");
        }
    }

    #[test]
    fn round_trip_byte_by_byte() {
        let data = sample(3_000);
        for format in [Format::Gzip, Format::Deflate, Format::DeflateRaw] {
            let (c, _) = compress_chunks(format, &[&data]);
            let bytes: Vec<&[u8]> = c.chunks(1).collect();
            assert_eq!(
                decompress_chunks(format, &bytes).unwrap(),
                data,
                "{format:?}"
            );
        }
    }

    #[test]
    fn decompresses_flate2_output_with_header_fields() {
        let data = sample(40_000);
        let mut enc = flate2::GzBuilder::new()
            .filename("name.txt")
            .comment("a comment")
            .extra(vec![1, 2, 3, 4])
            .mtime(12345)
            .write(Vec::new(), flate2::Compression::best());
        enc.write_all(&data).unwrap();
        let gz = enc.finish().unwrap();
        // Whole, and split inside the header.
        assert_eq!(decompress_chunks(Format::Gzip, &[&gz]).unwrap(), data);
        assert_eq!(
            decompress_chunks(
                Format::Gzip,
                &[&gz[..3], &gz[3..14], &gz[14..20], &gz[20..]]
            )
            .unwrap(),
            data
        );
    }

    #[test]
    fn a_large_expansion_comes_out_in_pieces() {
        let data = vec![b'a'; 1_000_000];
        let (c, _) = compress_chunks(Format::Gzip, &[&data]);
        assert!(c.len() < 5_000, "compressed to {}", c.len());
        let mut d = Decompressor::new(Format::Gzip);
        let mut sizes = Vec::new();
        d.push(&c, true, &mut |p: &[u8]| -> std::result::Result<
            (),
            DecompressError,
        > {
            sizes.push(p.len());
            Ok(())
        })
        .unwrap();
        assert_eq!(sizes.iter().sum::<usize>(), 1_000_000);
        assert!(sizes.iter().all(|&n| n <= PIECE));
        assert_eq!(sizes.len(), 1_000_000usize.div_ceil(PIECE));
    }

    #[test]
    fn streaming_output_arrives_before_the_end() {
        // A chunk's output is available once the chunk is in, not only at the end of the stream.
        let data = sample(200_000);
        let (c, _) = compress_chunks(Format::Deflate, &[&data]);
        let mut d = Decompressor::new(Format::Deflate);
        let mut seen = 0;
        d.push(
            &c[..c.len() / 2],
            false,
            &mut |p: &[u8]| -> std::result::Result<(), DecompressError> {
                seen += p.len();
                Ok(())
            },
        )
        .unwrap();
        assert!(seen > 50_000, "only {seen} bytes after half the input");
    }

    #[test]
    fn corrupt_input_is_an_error() {
        assert_eq!(
            decompress_chunks(Format::Gzip, &[b"not gzip at all"]),
            Err(DecompressError::NotGzip)
        );
        assert_eq!(
            decompress_chunks(Format::Deflate, &[b"not zlib at all"]),
            Err(DecompressError::Corrupt(Format::Deflate))
        );
        let mut bad_method = GZIP_HEADER;
        bad_method[2] = 7;
        assert_eq!(
            decompress_chunks(Format::Gzip, &[&bad_method]),
            Err(DecompressError::BadGzipHeader)
        );
        // A flipped byte in the body of a gzip stream: a deflate error or a checksum mismatch.
        let data = sample(10_000);
        let (mut gz, _) = compress_chunks(Format::Gzip, &[&data]);
        let mid = gz.len() / 2;
        gz[mid] ^= 0xff;
        assert!(matches!(
            decompress_chunks(Format::Gzip, &[&gz]),
            Err(DecompressError::Corrupt(Format::Gzip) | DecompressError::ChecksumMismatch)
        ));
    }

    #[test]
    fn checksums_are_checked() {
        let data = sample(1_000);
        let (mut gz, _) = compress_chunks(Format::Gzip, &[&data]);
        let n = gz.len();
        gz[n - 8] ^= 1; // CRC-32
        assert_eq!(
            decompress_chunks(Format::Gzip, &[&gz]),
            Err(DecompressError::ChecksumMismatch)
        );
        gz[n - 8] ^= 1;
        gz[n - 1] ^= 1; // ISIZE
        assert_eq!(
            decompress_chunks(Format::Gzip, &[&gz]),
            Err(DecompressError::ChecksumMismatch)
        );
        let (mut z, _) = compress_chunks(Format::Deflate, &[&data]);
        let n = z.len();
        z[n - 1] ^= 1; // Adler-32
        assert_eq!(
            decompress_chunks(Format::Deflate, &[&z]),
            Err(DecompressError::Corrupt(Format::Deflate))
        );
    }

    #[test]
    fn trailing_data_is_an_error() {
        for format in [Format::Gzip, Format::Deflate, Format::DeflateRaw] {
            let (mut c, _) = compress_chunks(format, &[b"hello"]);
            c.push(0);
            assert_eq!(
                decompress_chunks(format, &[&c]),
                Err(DecompressError::TrailingData(format)),
                "{format:?}"
            );
            // Also when the extra bytes come in a later chunk.
            let (c, _) = compress_chunks(format, &[b"hello"]);
            assert_eq!(
                decompress_chunks(format, &[&c, b"x"]),
                Err(DecompressError::TrailingData(format)),
                "{format:?}"
            );
        }
    }

    #[test]
    fn truncated_input_is_an_error_at_the_end() {
        for format in [Format::Gzip, Format::Deflate, Format::DeflateRaw] {
            let (c, _) = compress_chunks(format, &[&sample(1_000)]);
            assert_eq!(
                decompress_chunks(format, &[&c[..c.len() - 3]]),
                Err(DecompressError::Truncated(format)),
                "{format:?}"
            );
            assert_eq!(
                decompress_chunks(format, &[]),
                Err(DecompressError::Truncated(format)),
                "{format:?}"
            );
        }
    }

    #[test]
    fn the_js_codec_function() {
        let runtime = rquickjs::Runtime::new().unwrap();
        let context = rquickjs::Context::full(&runtime).unwrap();
        context.with(|ctx| {
            let host = Object::new(ctx.clone()).unwrap();
            register(&ctx, &host).unwrap();
            ctx.globals().set("host", host).unwrap();
            let result: String = ctx
                .eval(
                    r#"
                    const c = host.compressionCodec("gzip", false);
                    const d = host.compressionCodec("gzip", true);
                    const input = Uint8Array.from("hello hello hello", (ch) => ch.charCodeAt(0));
                    const packed = [...c(input), ...c(undefined)];
                    let text = "";
                    for (const p of packed) for (const q of d(p)) text += String.fromCharCode(...q);
                    const rest = d(undefined);
                    let after;
                    try { c(input); } catch (e) { after = `${e.name}: ${e.message}`; }
                    let unknown;
                    try { host.compressionCodec("brotli", false); } catch (e) { unknown = `${e.name}: ${e.message}`; }
                    let corrupt;
                    const e = host.compressionCodec("deflate", true);
                    try { e(new Uint8Array([1, 2, 3, 4])); } catch (err) { corrupt = `${err.name}: ${err.message}`; }
                    [text, rest.length, after, unknown, corrupt, packed.every((p) => p instanceof Uint8Array)].join("|")
                    "#,
                )
                .unwrap_or_else(|e| panic!("{e:?}: {:?}", ctx.catch()));
            assert_eq!(
                result,
                "hello hello hello|0|TypeError: This compression stream has already finished.|\
                 TypeError: Unsupported compression format: 'brotli'. The formats are \"gzip\", \"deflate\" and \"deflate-raw\".|\
                 TypeError: Decompression failed: the input is not valid deflate data.|true"
            );
        });
    }
}
