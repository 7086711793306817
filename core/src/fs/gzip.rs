//! gzip (RFC 1952) decoding: member headers, raw DEFLATE through `miniz_oxide`, and each
//! member's CRC-32 and length checked, members read one after another as Go's
//! `gzip.Reader` (multistream) and GNU gunzip read them.
//!
//! Why not `flate2`: its gzip reader pulls in `crc32fast`, whose slice-by-16 table is 16 KiB of
//! incompressible data in the browser's `.wasm` (a budget of 400 KiB gzipped). The CRC here is
//! the byte-at-a-time table, 1 KiB, built at compile time; inflating is the same `miniz_oxide`
//! that `flate2` runs.

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// Why a gzip stream did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Not a gzip member where one must start (Go: `gzip: invalid header`).
    Header,
    /// The DEFLATE data is corrupt.
    Corrupt,
    /// The input ends inside a member.
    Truncated,
    /// A member's CRC-32 or length does not match its data (Go: `gzip: invalid checksum`).
    Checksum,
    /// The output would pass the caller's limit.
    TooLarge,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Error::Header => "gzip: invalid header",
            Error::Corrupt => "gzip: corrupt deflate data",
            Error::Truncated => "gzip: unexpected end of file",
            Error::Checksum => "gzip: invalid checksum",
            Error::TooLarge => "gzip: the data expands past the limit",
        })
    }
}

const FHCRC: u8 = 2;
const FEXTRA: u8 = 4;
const FNAME: u8 = 8;
const FCOMMENT: u8 = 16;

/// The bytes after a member's header.
fn skip_header(input: &[u8]) -> Result<&[u8], Error> {
    if input.len() < 10 {
        // A prefix of a header is cut short; anything else is not one.
        let magic = [0x1f, 0x8b, 8];
        return Err(if magic.starts_with(&input[..input.len().min(3)]) { Error::Truncated } else { Error::Header });
    }
    if input[0] != 0x1f || input[1] != 0x8b || input[2] != 8 {
        return Err(Error::Header);
    }
    let flags = input[3];
    let mut rest = &input[10..];
    if flags & FEXTRA != 0 {
        let [lo, hi, ..] = *rest else { return Err(Error::Truncated) };
        let len = usize::from(u16::from_le_bytes([lo, hi]));
        rest = rest.get(2 + len..).ok_or(Error::Truncated)?;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let end = rest.iter().position(|&b| b == 0).ok_or(Error::Truncated)?;
            rest = &rest[end + 1..];
        }
    }
    if flags & FHCRC != 0 {
        let consumed = input.len() - rest.len();
        let [lo, hi, ..] = *rest else { return Err(Error::Truncated) };
        if u16::from_le_bytes([lo, hi]) != (crc32(&input[..consumed]) & 0xffff) as u16 {
            return Err(Error::Header);
        }
        rest = &rest[2..];
    }
    Ok(rest)
}

/// Decodes every member of `input`, refusing to produce more than `limit` bytes.
///
/// # Errors
/// A bad header, corrupt or truncated data, a checksum mismatch, or output past `limit`.
pub fn decode(mut input: &[u8], limit: usize) -> Result<Vec<u8>, Error> {
    const CHUNK: usize = 64 * 1024;
    let mut out: Vec<u8> = Vec::new();
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    loop {
        input = skip_header(input)?;
        state.reset(DataFormat::Raw);
        let start = out.len();
        loop {
            let len = out.len();
            if len > limit {
                return Err(Error::TooLarge);
            }
            out.resize(len + CHUNK.min(limit.saturating_add(1) - len), 0);
            let r = inflate(&mut state, input, &mut out[len..], MZFlush::None);
            input = &input[r.bytes_consumed..];
            out.truncate(len + r.bytes_written);
            match r.status {
                Ok(MZStatus::StreamEnd) => break,
                Ok(_) if r.bytes_consumed > 0 || r.bytes_written > 0 => {}
                Ok(_) | Err(MZError::Buf) => {
                    if out.len() > limit {
                        return Err(Error::TooLarge);
                    }
                    return Err(Error::Truncated);
                }
                Err(_) => return Err(Error::Corrupt),
            }
        }
        if out.len() > limit {
            return Err(Error::TooLarge);
        }
        let Some((trailer, rest)) = input.split_first_chunk::<8>() else { return Err(Error::Truncated) };
        let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        let member = &out[start..];
        if crc != crc32(member) || size != member.len() as u32 {
            return Err(Error::Checksum);
        }
        input = rest;
        if input.is_empty() {
            return Ok(out);
        }
    }
}

/// The CRC-32 (IEEE, reflected) table, one entry per byte value.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// CRC-32 as gzip, zip and PNG compute it.
#[must_use]
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, &b| CRC_TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gz(data: &[u8], level: u32) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
        enc.write_all(data).expect("write");
        enc.finish().expect("finish")
    }

    #[test]
    fn crc_of_known_inputs() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b"The quick brown fox jumps over the lazy dog"), 0x414f_a339);
    }

    #[test]
    fn round_trips_and_concatenated_members() {
        let big: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for level in [0, 1, 6, 9] {
            assert_eq!(decode(&gz(&big, level), usize::MAX).expect("decode"), big);
        }
        let mut two = gz(b"hello ", 6);
        two.extend(gz(b"world\n", 6));
        assert_eq!(decode(&two, usize::MAX).expect("two members"), b"hello world\n");
        assert_eq!(decode(&gz(b"", 6), usize::MAX).expect("empty"), b"");
    }

    #[test]
    fn header_fields_are_skipped_and_the_header_crc_checked() {
        let body = gz(b"named\n", 6);
        // FEXTRA, FNAME, FCOMMENT and FHCRC around the same deflate data.
        let mut h = vec![0x1f, 0x8b, 8, FEXTRA | FNAME | FCOMMENT | FHCRC, 0, 0, 0, 0, 0, 3];
        h.extend([3, 0, b'a', b'b', b'c']);
        h.extend(b"file.txt\0");
        h.extend(b"a comment\0");
        let crc = (crc32(&h) & 0xffff) as u16;
        h.extend(crc.to_le_bytes());
        h.extend(&body[10..]);
        assert_eq!(decode(&h, usize::MAX).expect("flags"), b"named\n");
        let at = h.len() - body.len() + 10 - 2;
        h[at] ^= 1;
        assert_eq!(decode(&h, usize::MAX), Err(Error::Header));
    }

    #[test]
    fn damage_is_an_error_never_a_panic() {
        let good = gz(b"some text that compresses, some text that compresses\n", 9);
        let mut bad_crc = good.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 0xff;
        assert_eq!(decode(&bad_crc, usize::MAX), Err(Error::Checksum));
        let mut bad_len = good.clone();
        bad_len[n - 1] ^= 1;
        assert_eq!(decode(&bad_len, usize::MAX), Err(Error::Checksum));
        assert_eq!(decode(b"not gzip at all", usize::MAX), Err(Error::Header));
        assert_eq!(decode(b"x", usize::MAX), Err(Error::Header));
        assert_eq!(decode(&[0x1f], usize::MAX), Err(Error::Truncated));
        let mut trailing = good.clone();
        trailing.extend(b"garbage!!!");
        assert_eq!(decode(&trailing, usize::MAX), Err(Error::Header));
        for cut in 0..good.len() {
            assert!(decode(&good[..cut], usize::MAX).is_err(), "cut at {cut}");
        }
        for i in 10..good.len() - 8 {
            let mut flipped = good.clone();
            flipped[i] ^= 0x55;
            let _ = decode(&flipped, usize::MAX);
        }
    }

    #[test]
    fn the_limit_stops_a_bomb() {
        let zeros = gz(&vec![0u8; 4 << 20], 9);
        assert!(zeros.len() < 8 << 10);
        assert_eq!(decode(&zeros, 1 << 20), Err(Error::TooLarge));
        assert_eq!(decode(&zeros, 4 << 20).expect("at the limit").len(), 4 << 20);
    }
}
