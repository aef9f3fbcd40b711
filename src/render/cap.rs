//! Caps on what a template can produce: a page buffer that stops taking
//! bytes at `limits.page_bytes`, and a `range` function that refuses to build
//! a huge list. Template authors are trusted, but a runaway loop should end in
//! an error naming the template, not in an exhausted machine. Pure.

use std::collections::HashMap;
use std::io;

/// `range()` in a template may give at most this many numbers.
pub(crate) const MAX_RANGE: u64 = 1_000_000;

/// A page being rendered: writing past `limit` bytes fails, which makes
/// Tera stop rendering at once.
#[derive(Debug)]
pub(crate) struct PageBuffer {
    pub(crate) bytes: Vec<u8>,
    limit: usize,
    pub(crate) overflowed: bool,
}

impl PageBuffer {
    pub fn new(limit: usize) -> PageBuffer {
        PageBuffer {
            bytes: Vec::new(),
            limit,
            overflowed: false,
        }
    }
}

impl io::Write for PageBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            self.overflowed = true;
            return Err(io::Error::other("the page is over the size limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Tera's `range(start=0, end, step_by=1)`, refusing more than [`MAX_RANGE`]
/// numbers (and a step of 0, which would never end).
pub(crate) fn range(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let arg = |name: &str, default: Option<u64>| match args.get(name) {
        None => default
            .ok_or_else(|| tera::Error::msg(format!("function `range` needs a `{name}` argument"))),
        Some(v) => v.as_u64().ok_or_else(|| {
            tera::Error::msg(format!(
                "function `range`: `{name}` must be a whole number, not {v}"
            ))
        }),
    };
    let start = arg("start", Some(0))?;
    let end = arg("end", None)?;
    let step = arg("step_by", Some(1))?;
    if step == 0 {
        return Err(tera::Error::msg(
            "function `range`: `step_by` must not be 0",
        ));
    }
    let count = end.saturating_sub(start).div_ceil(step);
    if count > MAX_RANGE {
        return Err(tera::Error::msg(format!(
            "function `range`: {count} numbers is more than the limit of {MAX_RANGE}"
        )));
    }
    Ok(tera::Value::Array(
        (start..end)
            .step_by(usize::try_from(step).unwrap_or(usize::MAX))
            .map(tera::Value::from)
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn call(args: &[(&str, u64)]) -> tera::Result<tera::Value> {
        range(
            &args
                .iter()
                .map(|(k, v)| (k.to_string(), tera::Value::from(*v)))
                .collect(),
        )
    }

    #[test]
    fn range_counts_like_teras_and_refuses_huge_or_endless_ones() {
        assert_eq!(
            call(&[("start", 1), ("end", 8), ("step_by", 3)]).unwrap(),
            tera::Value::from(vec![1, 4, 7])
        );
        assert_eq!(call(&[("end", 0)]).unwrap(), tera::Value::Array(Vec::new()));
        assert!(call(&[("end", MAX_RANGE)]).is_ok());
        let err = call(&[("end", 1_000_000_000)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "function `range`: 1000000000 numbers is more than the limit of 1000000"
        );
        assert!(call(&[("end", 5), ("step_by", 0)]).is_err());
    }

    #[test]
    fn the_buffer_refuses_bytes_past_the_limit() {
        let mut page = PageBuffer::new(4);
        page.write_all(b"abcd").unwrap();
        assert!(!page.overflowed);
        assert!(page.write_all(b"e").is_err());
        assert!(page.overflowed);
        assert_eq!(page.bytes, b"abcd");
    }
}
