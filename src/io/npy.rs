//! NumPy `.npy` reader and writer.
//!
//! Reads format versions 1.0, 2.0 and 3.0. The header is a Python dict literal
//! (`{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`) parsed by a small
//! hand-written parser that accepts the subset of Python literal syntax NumPy
//! produces: quoted strings, `True`/`False`, integers, tuples and lists, with any
//! whitespace and trailing commas. Fortran-order arrays are reordered to C order.
//! Supported dtypes are booleans, integers of 1 to 8 bytes and 32/64-bit floats in
//! either byte order; anything else is refused with a message naming the dtype.
//!
//! The writer produces version 1.0 (2.0 only if the header would not fit), C order,
//! little endian, with the header padded so the data starts on a 64-byte boundary.

use std::fmt;
use std::path::Path;

use super::{
    byte_count, data_fortran_to_c, decode_elements, encode_elements_le, io_error, voxel_count,
    Dtype, Volume, VoxelData,
};
use crate::error::{Error, Result};

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// A Python literal from the header.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Bool(bool),
    Int(u64),
    None,
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = |f: &mut fmt::Formatter<'_>, items: &[Value]| -> fmt::Result {
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{item}")?;
            }
            Ok(())
        };
        match self {
            Value::Str(s) => write!(f, "'{s}'"),
            Value::Bool(true) => write!(f, "True"),
            Value::Bool(false) => write!(f, "False"),
            Value::Int(i) => write!(f, "{i}"),
            Value::None => write!(f, "None"),
            Value::Tuple(items) => {
                write!(f, "(")?;
                seq(f, items)?;
                if items.len() == 1 {
                    write!(f, ",")?;
                }
                write!(f, ")")
            }
            Value::List(items) => {
                write!(f, "[")?;
                seq(f, items)?;
                write!(f, "]")
            }
            Value::Dict(entries) => {
                write!(f, "{{")?;
                for (k, (key, value)) in entries.iter().enumerate() {
                    if k > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{key}: {value}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// Recursive-descent parser over the header text.
struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    depth: usize,
}

/// Deepest nesting the parser accepts (guards the recursion).
const MAX_DEPTH: usize = 32;

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser {
            chars: text.char_indices().peekable(),
            depth: 0,
        }
    }

    fn skip_ws(&mut self) {
        while self.chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.peek().map(|&(_, c)| c)
    }

    fn expect(&mut self, want: char) -> std::result::Result<(), String> {
        match self.peek() {
            Some(c) if c == want => {
                self.chars.next();
                Ok(())
            }
            Some(c) => Err(format!("expected '{want}' but found '{c}'")),
            None => Err(format!("expected '{want}' but the header ended")),
        }
    }

    fn value(&mut self) -> std::result::Result<Value, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("header is nested too deeply".to_string());
        }
        let v = match self.peek() {
            Some('\'') | Some('"') => self.string().map(Value::Str),
            Some('(') => self.sequence('(', ')').map(Value::Tuple),
            Some('[') => self.sequence('[', ']').map(Value::List),
            Some('{') => self.dict().map(Value::Dict),
            Some(c) if c.is_ascii_digit() => self.integer(),
            Some(c) if c.is_ascii_alphabetic() => self.word(),
            Some(c) => Err(format!("unexpected character '{c}'")),
            None => Err("the header ended where a value was expected".to_string()),
        };
        self.depth -= 1;
        v
    }

    fn string(&mut self) -> std::result::Result<String, String> {
        let Some((_, quote)) = self.chars.next() else {
            return Err("expected a string".to_string());
        };
        let mut s = String::new();
        loop {
            match self.chars.next() {
                None => return Err("unterminated string".to_string()),
                Some((_, c)) if c == quote => return Ok(s),
                Some((_, '\\')) => match self.chars.next() {
                    Some((_, c)) => s.push(c),
                    None => return Err("unterminated string".to_string()),
                },
                Some((_, c)) => s.push(c),
            }
        }
    }

    fn integer(&mut self) -> std::result::Result<Value, String> {
        let mut n: u64 = 0;
        while let Some((_, c)) = self.chars.next_if(|&(_, c)| c.is_ascii_digit()) {
            let digit = u64::from(c as u8 - b'0');
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(digit))
                .ok_or_else(|| "integer too large".to_string())?;
        }
        // Python 2 long suffix, as written by old NumPy versions.
        self.chars.next_if(|&(_, c)| c == 'L' || c == 'l');
        Ok(Value::Int(n))
    }

    fn word(&mut self) -> std::result::Result<Value, String> {
        let mut w = String::new();
        while let Some((_, c)) = self
            .chars
            .next_if(|&(_, c)| c.is_ascii_alphanumeric() || c == '_')
        {
            w.push(c);
        }
        match w.as_str() {
            "True" => Ok(Value::Bool(true)),
            "False" => Ok(Value::Bool(false)),
            "None" => Ok(Value::None),
            _ => Err(format!("unexpected word '{w}'")),
        }
    }

    /// Comma-separated values between `open` and `close`; a trailing comma is allowed.
    fn sequence(&mut self, open: char, close: char) -> std::result::Result<Vec<Value>, String> {
        self.expect(open)?;
        let mut items = Vec::new();
        loop {
            if self.peek() == Some(close) {
                self.chars.next();
                return Ok(items);
            }
            items.push(self.value()?);
            match self.peek() {
                Some(',') => {
                    self.chars.next();
                }
                Some(c) if c == close => {}
                Some(c) => return Err(format!("expected ',' or '{close}' but found '{c}'")),
                None => return Err(format!("expected '{close}' but the header ended")),
            }
        }
    }

    fn dict(&mut self) -> std::result::Result<Vec<(Value, Value)>, String> {
        self.expect('{')?;
        let mut entries = Vec::new();
        loop {
            if self.peek() == Some('}') {
                self.chars.next();
                return Ok(entries);
            }
            let key = self.value()?;
            self.expect(':')?;
            let value = self.value()?;
            entries.push((key, value));
            match self.peek() {
                Some(',') => {
                    self.chars.next();
                }
                Some('}') => {}
                Some(c) => return Err(format!("expected ',' or '}}' but found '{c}'")),
                None => return Err("expected '}' but the header ended".to_string()),
            }
        }
    }

    /// Parses the whole text as one dict; only whitespace may follow it.
    fn header(mut self) -> std::result::Result<Vec<(Value, Value)>, String> {
        if self.peek() != Some('{') {
            return Err("the header is not a dict".to_string());
        }
        let entries = self.dict()?;
        match self.peek() {
            None => Ok(entries),
            Some(c) => Err(format!("unexpected '{c}' after the dict")),
        }
    }
}

/// The array description extracted from the header.
#[derive(Debug)]
struct Header {
    dtype: Dtype,
    big_endian: bool,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// Interprets a dtype descr such as `<i4`, `>f8`, `|b1` or `=u2`.
fn parse_descr(descr: &str) -> std::result::Result<(Dtype, bool), String> {
    let supported = "supported are |b1, |u1, |i1 and u2, i2, u4, i4, u8, i8, f4, f8 \
                     with byte order <, > or =";
    let native_big = cfg!(target_endian = "big");
    let (order, code) = match descr.chars().next() {
        Some('<') => (Some(false), descr.get(1..)),
        Some('>') => (Some(true), descr.get(1..)),
        Some('=') => (Some(native_big), descr.get(1..)),
        Some('|') => (None, descr.get(1..)),
        _ => (Some(native_big), Some(descr)),
    };
    let code = code.unwrap_or("");
    let dtype = match code {
        "b1" | "?" => Dtype::Bool,
        "u1" | "B" => Dtype::U8,
        "i1" | "b" => Dtype::I8,
        "u2" => Dtype::U16,
        "i2" => Dtype::I16,
        "u4" => Dtype::U32,
        "i4" => Dtype::I32,
        "u8" => Dtype::U64,
        "i8" => Dtype::I64,
        "f4" => Dtype::F32,
        "f8" => Dtype::F64,
        _ => {
            let kind = match code.chars().next() {
                Some('O') => " (Python objects)",
                Some('U') => " (unicode strings)",
                Some('S') | Some('a') => " (byte strings)",
                Some('c') => " (complex numbers)",
                Some('f') => " (this float width)",
                Some('V') => " (raw or structured records)",
                Some('M') | Some('m') => " (dates or time spans)",
                _ => "",
            };
            return Err(format!("unsupported dtype '{descr}'{kind}; {supported}"));
        }
    };
    let big_endian = match order {
        Some(b) => b,
        None if dtype.size() == 1 => false,
        None => {
            return Err(format!(
                "dtype '{descr}' has no byte order ('|') but is {} bytes wide",
                dtype.size()
            ))
        }
    };
    Ok((dtype, big_endian))
}

/// Extracts and checks `descr`, `fortran_order` and `shape` from the parsed dict.
fn interpret(entries: Vec<(Value, Value)>) -> std::result::Result<Header, String> {
    let mut descr = None;
    let mut fortran = None;
    let mut shape = None;
    for (key, value) in entries {
        let Value::Str(name) = key else {
            return Err(format!(
                "malformed .npy header: header key {key} is not a string"
            ));
        };
        let slot = match name.as_str() {
            "descr" => &mut descr,
            "fortran_order" => &mut fortran,
            "shape" => &mut shape,
            other => {
                return Err(format!(
                    "malformed .npy header: unexpected header key '{other}'"
                ))
            }
        };
        if slot.replace(value).is_some() {
            return Err(format!(
                "malformed .npy header: header key '{name}' appears twice"
            ));
        }
    }
    let descr = descr.ok_or("malformed .npy header: it lacks the 'descr' key")?;
    let fortran = fortran.ok_or("malformed .npy header: it lacks the 'fortran_order' key")?;
    let shape = shape.ok_or("malformed .npy header: it lacks the 'shape' key")?;

    let (dtype, big_endian) = match &descr {
        Value::Str(s) => parse_descr(s)?,
        other => {
            return Err(format!(
                "unsupported dtype {other} (structured arrays are not supported)"
            ))
        }
    };
    let fortran_order = match fortran {
        Value::Bool(b) => b,
        other => {
            return Err(format!(
                "malformed .npy header: 'fortran_order' is {other}, expected True or False"
            ))
        }
    };
    let shape = match shape {
        Value::Tuple(items) | Value::List(items) => items
            .iter()
            .map(|item| match item {
                Value::Int(n) => {
                    usize::try_from(*n).map_err(|_| format!("shape dimension {n} is too large"))
                }
                other => Err(format!(
                    "malformed .npy header: shape entry {other} is not a non-negative integer"
                )),
            })
            .collect::<std::result::Result<Vec<_>, _>>()?,
        Value::Int(n) => {
            vec![usize::try_from(n).map_err(|_| format!("shape dimension {n} is too large"))?]
        }
        other => {
            return Err(format!(
                "malformed .npy header: 'shape' is {other}, expected a tuple of integers"
            ))
        }
    };
    Ok(Header {
        dtype,
        big_endian,
        fortran_order,
        shape,
    })
}

/// Reads a `.npy` file, returned in C order, with the order it was stored in.
pub(super) fn read_with_order(path: &Path) -> Result<(Volume, super::MemoryOrder)> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, "open", &e))?;
    parse_with_order(path, bytes)
}

/// Parses the bytes of a `.npy` file into C order; also returns the stored order.
pub(super) fn parse_with_order(
    path: &Path,
    mut bytes: Vec<u8>,
) -> Result<(Volume, super::MemoryOrder)> {
    let err = |msg: String| Error::input(path, msg);
    if bytes.len() < MAGIC.len() && MAGIC.starts_with(&bytes) {
        return Err(err(format!(
            "truncated header: file has only {} bytes",
            bytes.len()
        )));
    }
    if bytes.get(..MAGIC.len()) != Some(&MAGIC[..]) {
        return Err(err(
            "not a NumPy .npy file (bad magic; expected \\x93NUMPY)".to_string(),
        ));
    }
    let (major, minor) = match (bytes.get(6), bytes.get(7)) {
        (Some(&a), Some(&b)) => (a, b),
        _ => {
            return Err(err(format!(
                "truncated header: file has only {} bytes",
                bytes.len()
            )))
        }
    };
    let (len_size, utf8) = match (major, minor) {
        (1, 0) => (2usize, false),
        (2, 0) => (4, false),
        (3, 0) => (4, true),
        _ => {
            return Err(err(format!(
                "unsupported .npy format version {major}.{minor}; supported are 1.0, 2.0 and 3.0"
            )))
        }
    };
    let start = 8 + len_size;
    let header_len = match bytes.get(8..start) {
        Some(&[a, b]) => u16::from_le_bytes([a, b]) as usize,
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]) as usize,
        _ => {
            return Err(err(format!(
                "truncated header: file has only {} bytes",
                bytes.len()
            )))
        }
    };
    let data_start = start
        .checked_add(header_len)
        .ok_or_else(|| err("header length is too large".to_string()))?;
    let Some(header_bytes) = bytes.get(start..data_start) else {
        return Err(err(format!(
            "truncated header: the header claims {header_len} bytes but the file has only {} after the preamble",
            bytes.len().saturating_sub(start)
        )));
    };
    let text: String = if utf8 {
        std::str::from_utf8(header_bytes)
            .map_err(|_| err("header is not valid UTF-8".to_string()))?
            .to_string()
    } else {
        header_bytes.iter().map(|&b| char::from(b)).collect()
    };
    let entries = Parser::new(&text)
        .header()
        .map_err(|m| err(format!("malformed .npy header: {m}")))?;
    let header = interpret(entries).map_err(err)?;

    let count = voxel_count(path, &header.shape)?;
    let nbytes = byte_count(path, count, header.dtype)?;
    let available = bytes.len() - data_start.min(bytes.len());
    if available < nbytes {
        return Err(err(format!(
            "truncated data: shape {} of {} needs {nbytes} bytes, found {available}",
            super::join_shape(&header.shape),
            header.dtype.name()
        )));
    }
    // Keep only the array bytes (anything after them is ignored, as NumPy does).
    bytes.truncate(data_start + nbytes);
    let data_bytes = bytes.split_off(data_start);
    let mut data = decode_elements(path, header.dtype, data_bytes, header.big_endian)?;
    let order = if header.fortran_order {
        data = data_fortran_to_c(data, &header.shape);
        super::MemoryOrder::Fortran
    } else {
        super::MemoryOrder::C
    };
    Ok((
        Volume {
            shape: header.shape,
            data,
        },
        order,
    ))
}

/// The descr string for writing `data` (little endian).
fn descr_of(data: &VoxelData) -> &'static str {
    match data.dtype() {
        Dtype::Bool => "|b1",
        Dtype::U8 => "|u1",
        Dtype::I8 => "|i1",
        Dtype::U16 => "<u2",
        Dtype::I16 => "<i2",
        Dtype::U32 => "<u4",
        Dtype::I32 => "<i4",
        Dtype::I64 => "<i8",
        Dtype::U64 => "<u8",
        Dtype::F32 => "<f4",
        Dtype::F64 => "<f8",
    }
}

/// Builds the complete preamble and header, padded so the data starts on a
/// multiple of 64 bytes.
fn build_header(path: &Path, v: &Volume) -> Result<Vec<u8>> {
    let shape = match v.shape.as_slice() {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let dict = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
        descr_of(&v.data)
    );
    // Version 1.0 has a 2-byte length; fall back to 2.0 if the header is too long.
    for (major, len_size) in [(1u8, 2usize), (2, 4)] {
        let preamble = 8 + len_size;
        let unpadded = preamble + dict.len() + 1; // + '\n'
        let total = unpadded.div_ceil(64) * 64;
        let header_len = total - preamble;
        let fits = if len_size == 2 {
            header_len <= usize::from(u16::MAX)
        } else {
            u32::try_from(header_len).is_ok()
        };
        if !fits {
            continue;
        }
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[major, 0]);
        if len_size == 2 {
            out.extend_from_slice(&(header_len as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header_len as u32).to_le_bytes());
        }
        out.extend_from_slice(dict.as_bytes());
        out.resize(total - 1, b' ');
        out.push(b'\n');
        return Ok(out);
    }
    Err(Error::input(
        path,
        "cannot write: the .npy header would be too long",
    ))
}

/// Writes `v` as a version 1.0, C-order, little-endian `.npy` file.
pub(super) fn write(path: &Path, v: &Volume) -> Result<()> {
    let mut bytes = build_header(path, v)?;
    bytes.reserve(v.data.len().saturating_mul(v.data.dtype().size()));
    encode_elements_le(&v.data, &mut bytes);
    std::fs::write(path, bytes).map_err(|e| io_error(path, "write", &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::tests::{arb_volume, err_of, same_data, tmp};
    use crate::io::{read_volume, write_volume};
    use proptest::prelude::*;

    /// A version 1.0 file built by hand from a header dict and raw data bytes.
    fn hand(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        b.extend_from_slice(dict.as_bytes());
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn fortran_order_2x3_by_hand() {
        // [[1, 2, 3], [4, 5, 6]] as int32 stored column by column: 1 4 2 5 3 6.
        let mut data = Vec::new();
        for x in [1i32, 4, 2, 5, 3, 6] {
            data.extend_from_slice(&x.to_le_bytes());
        }
        let dir = tempfile::tempdir().unwrap();
        let p = tmp(
            &dir,
            "f.npy",
            &hand(
                "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }      \n",
                &data,
            ),
        );
        let v = read_volume(&p).unwrap();
        assert_eq!(v.shape, vec![2, 3]);
        assert_eq!(v.data, VoxelData::I32(vec![1, 2, 3, 4, 5, 6]));
    }

    #[test]
    fn big_endian_i2_by_hand() {
        let mut data = Vec::new();
        for x in [1i16, -2, 300, i16::MIN, i16::MAX] {
            data.extend_from_slice(&x.to_be_bytes());
        }
        let dir = tempfile::tempdir().unwrap();
        let p = tmp(
            &dir,
            "be.npy",
            &hand(
                "{'descr': '>i2', 'fortran_order': False, 'shape': (5,), }\n",
                &data,
            ),
        );
        let v = read_volume(&p).unwrap();
        assert_eq!(v.shape, vec![5]);
        assert_eq!(v.data, VoxelData::I16(vec![1, -2, 300, i16::MIN, i16::MAX]));
    }

    #[test]
    fn header_syntax_variants() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, Vec<usize>); 6] = [
            (
                "{'descr':'|u1','fortran_order':False,'shape':(2,2)}",
                vec![2, 2],
            ),
            (
                "  { \"shape\" : ( 4 , ) ,\n 'descr' : '|u1', 'fortran_order' : False , } \n",
                vec![4],
            ),
            (
                "{'descr': '|u1', 'fortran_order': False, 'shape': (), }",
                vec![],
            ),
            (
                "{'descr': '|u1', 'fortran_order': False, 'shape': (2L, 2L), }",
                vec![2, 2],
            ),
            (
                "{'descr': 'u1', 'fortran_order': False, 'shape': [1, 4]}",
                vec![1, 4],
            ),
            (
                "{'descr': '=u1', 'fortran_order': True, 'shape': (4, 1,), }",
                vec![4, 1],
            ),
        ];
        for (dict, shape) in cases {
            let n: usize = shape.iter().product();
            let data: Vec<u8> = (0..n as u8).collect();
            let p = tmp(&dir, "h.npy", &hand(dict, &data));
            let v = read_volume(&p).unwrap_or_else(|e| panic!("{dict}: {e}"));
            assert_eq!(v.shape, shape, "{dict}");
            assert_eq!(v.data, VoxelData::U8(data), "{dict}");
        }
    }

    #[test]
    fn versions_2_and_3() {
        let dir = tempfile::tempdir().unwrap();
        for major in [2u8, 3] {
            let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n";
            let mut b = vec![0x93, b'N', b'U', b'M', b'P', b'Y', major, 0];
            b.extend_from_slice(&(dict.len() as u32).to_le_bytes());
            b.extend_from_slice(dict.as_bytes());
            b.extend_from_slice(&0.5f64.to_le_bytes());
            b.extend_from_slice(&(-7.25f64).to_le_bytes());
            let v = read_volume(&tmp(&dir, "v.npy", &b)).unwrap();
            assert_eq!(v.data, VoxelData::F64(vec![0.5, -7.25]));
        }
        let mut b = hand("{}", &[]);
        b[6] = 4;
        assert!(err_of(&tmp(&dir, "v4.npy", &b)).contains("unsupported .npy format version 4.0"));
    }

    #[test]
    fn unsupported_dtypes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        for (descr, phrase) in [
            ("'|O'", "unsupported dtype '|O' (Python objects)"),
            ("'<U5'", "unsupported dtype '<U5' (unicode strings)"),
            ("'<c16'", "unsupported dtype '<c16' (complex numbers)"),
            ("'<f2'", "unsupported dtype '<f2'"),
            ("'|V4'", "unsupported dtype '|V4'"),
            (
                "[('a', '<i4'), ('b', '<f4')]",
                "unsupported dtype [('a', '<i4'), ('b', '<f4')] (structured",
            ),
            ("'|i4'", "no byte order"),
        ] {
            let dict = format!("{{'descr': {descr}, 'fortran_order': False, 'shape': (1,), }}");
            let msg = err_of(&tmp(&dir, "d.npy", &hand(&dict, &[0; 16])));
            assert!(msg.contains(phrase), "{msg} lacks {phrase}");
        }
    }

    #[test]
    fn malformed_headers() {
        let dir = tempfile::tempdir().unwrap();
        for (dict, phrase) in [
            (
                "{'descr': '<i4', 'shape': (1,)}",
                "lacks the 'fortran_order' key",
            ),
            (
                "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
                "unexpected header key 'x'",
            ),
            (
                "{'descr': '<i4', 'descr': '<i4', 'fortran_order': False, 'shape': (1,)}",
                "appears twice",
            ),
            (
                "{'descr': '<i4', 'fortran_order': 0, 'shape': (1,)}",
                "'fortran_order' is 0",
            ),
            (
                "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 'a')}",
                "shape entry 'a'",
            ),
            (
                "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}",
                "unexpected character '-'",
            ),
            (
                "{'descr': '<i4', 'fortran_order': False, 'shape': (1,)",
                "header ended",
            ),
            (
                "{'descr': '<i4 , 'fortran_order': False}",
                "malformed .npy header",
            ),
            ("[1]", "not a dict"),
            (
                "{'descr': '<i4', 'fortran_order': False, 'shape': (1,)} x",
                "after the dict",
            ),
            (
                "{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
                "too large",
            ),
            (
                &format!("{}{}", "(".repeat(100), ")".repeat(100)),
                "not a dict",
            ),
            (
                &format!("{{'shape': {}1{}}}", "(".repeat(100), ")".repeat(100)),
                "nested too deeply",
            ),
        ] {
            let msg = err_of(&tmp(&dir, "m.npy", &hand(dict, &[0; 16])));
            assert!(msg.contains(phrase), "{msg} lacks {phrase}");
        }
    }

    #[test]
    fn truncated_and_bad_magic() {
        let dir = tempfile::tempdir().unwrap();
        let dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }\n";
        let full = hand(dict, &[0; 24]);
        let msg = err_of(&tmp(&dir, "t.npy", &full[..full.len() - 1]));
        assert!(
            msg.contains("truncated data") && msg.contains("needs 24 bytes, found 23"),
            "{msg}"
        );
        let msg = err_of(&tmp(&dir, "h.npy", &full[..30]));
        assert!(msg.contains("truncated header"), "{msg}");
        let msg = err_of(&tmp(&dir, "h2.npy", &full[..9]));
        assert!(msg.contains("truncated header"), "{msg}");
        let msg = err_of(&tmp(&dir, "h3.npy", &full[..4]));
        assert!(msg.contains("truncated header"), "{msg}");
        let msg = err_of(&tmp(&dir, "e.npy", &[]));
        assert!(msg.contains("truncated header"), "{msg}");
        let msg = err_of(&tmp(&dir, "m.npy", b"PK\x03\x04 this is a zip"));
        assert!(msg.contains("bad magic"), "{msg}");
        // Overflowing shape product.
        let big = hand(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16)}",
            &[],
        );
        assert!(err_of(&tmp(&dir, "o.npy", &big)).contains("overflows"));
        // Booleans other than 0/1.
        let b = hand(
            "{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}",
            &[0, 1, 2],
        );
        assert!(err_of(&tmp(&dir, "b.npy", &b)).contains("booleans must be stored as 0 or 1"));
    }

    #[test]
    fn writer_header_layout() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.npy");
        let v = Volume {
            shape: vec![3],
            data: VoxelData::U16(vec![1, 2, 3]),
        };
        write_volume(&p, &v).unwrap();
        let b = std::fs::read(&p).unwrap();
        assert_eq!(&b[..8], b"\x93NUMPY\x01\x00");
        let hl = u16::from_le_bytes([b[8], b[9]]) as usize;
        assert_eq!((10 + hl) % 64, 0);
        let text = std::str::from_utf8(&b[10..10 + hl]).unwrap();
        assert!(text.starts_with("{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }"));
        assert!(text.ends_with('\n'));
        assert_eq!(&b[10 + hl..], &[1, 0, 2, 0, 3, 0]);
    }

    #[test]
    fn scalar_and_empty_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.npy");
        for v in [
            Volume {
                shape: vec![],
                data: VoxelData::F64(vec![2.5]),
            },
            Volume {
                shape: vec![0, 3],
                data: VoxelData::I32(vec![]),
            },
        ] {
            write_volume(&p, &v).unwrap();
            assert_eq!(read_volume(&p).unwrap(), v);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn round_trip(v in arb_volume(5)) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("r.npy");
            write_volume(&p, &v).unwrap();
            let back = read_volume(&p).unwrap();
            prop_assert_eq!(&back.shape, &v.shape);
            prop_assert!(same_data(&back.data, &v.data));
        }

        #[test]
        fn never_panics_on_mutated_files(v in arb_volume(3), pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("m.npy");
            write_volume(&p, &v).unwrap();
            let mut b = std::fs::read(&p).unwrap();
            let i = pos.index(b.len());
            b[i] = byte;
            b.truncate(cut.index(b.len() + 1).max(b.len() / 2));
            std::fs::write(&p, &b).unwrap();
            let _ = read_volume(&p);
        }

        #[test]
        fn parser_never_panics(text in "[ -~\\n]{0,80}") {
            let _ = Parser::new(&text).header().and_then(interpret);
        }
    }
}
