//! A picture's format and size in pixels, read from its first bytes (an
//! SVG's from its root element). Pure.

use super::Format;

/// The format the bytes are, by their signature (an SVG by its root
/// element, which must carry the SVG namespace, or `<img>` shows nothing).
pub(super) fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some(Format::Jpeg)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else if bytes.len() >= 6 && bytes.starts_with(b"\0\0\x01\0") && bytes[4..6] != [0, 0] {
        Some(Format::Ico)
    } else {
        svg_root(bytes)
            .filter(|tag| attribute(tag, "xmlns") == Some("http://www.w3.org/2000/svg"))
            .map(|_| Format::Svg)
    }
}

/// The start tag of an SVG's root element (`<svg ...>`), when the text
/// opens with it after an XML declaration, comments and a doctype.
fn svg_root(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!") {
            rest = after.split_once('>')?.1.trim_start();
        } else {
            break;
        }
    }
    let tag = rest.strip_prefix("<svg")?;
    if !tag.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
        return None;
    }
    Some(&tag[..tag.find('>')?])
}

/// An attribute's value in a start tag (`name="value"` or `name='value'`).
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        return value[1..].split(quote).next();
    }
    None
}

/// Width and height in pixels, read from the image's header.
pub(super) fn size(format: Format, b: &[u8]) -> Option<(u32, u32)> {
    match format {
        Format::Png => png_size(b),
        Format::Jpeg => jpeg_size(b),
        Format::Webp => webp_size(b),
        Format::Ico => {
            let side = |v: u8| if v == 0 { 256 } else { u32::from(v) };
            Some((side(*b.get(6)?), side(*b.get(7)?)))
        }
        Format::Svg => svg_size(b),
    }
}

/// The big-endian 16-bit number at `i`.
fn be16(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?])))
}

/// The little-endian number in the `n` bytes at `i`.
fn le(b: &[u8], i: usize, n: usize) -> Option<u32> {
    let bytes = b.get(i..i + n)?;
    Some(bytes.iter().rev().fold(0, |v, &x| (v << 8) | u32::from(x)))
}

fn png_size(b: &[u8]) -> Option<(u32, u32)> {
    let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    (b.get(12..16) == Some(b"IHDR")).then_some(())?;
    Some((be32(16)?, be32(20)?))
}

/// Walk the segments to the first start-of-frame marker.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    loop {
        while *b.get(i)? == 0xff && *b.get(i + 1)? == 0xff {
            i += 1;
        }
        (*b.get(i)? == 0xff).then_some(())?;
        let marker = *b.get(i + 1)?;
        if (0xd0..=0xd9).contains(&marker) || marker == 0x01 {
            i += 2;
            continue;
        }
        let frame = (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker);
        if frame {
            return Some((be16(b, i + 7)?, be16(b, i + 5)?));
        }
        i += 2 + usize::try_from(be16(b, i + 2)?).ok()?;
    }
}

fn webp_size(b: &[u8]) -> Option<(u32, u32)> {
    match b.get(12..16)? {
        b"VP8 " => Some((le(b, 26, 2)? & 0x3fff, le(b, 28, 2)? & 0x3fff)),
        b"VP8L" => {
            let bits = le(b, 21, 4)?;
            Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
        }
        b"VP8X" => Some((le(b, 24, 3)? + 1, le(b, 27, 3)? + 1)),
        _ => None,
    }
}

/// From `width` and `height`, or else from `viewBox`.
fn svg_size(b: &[u8]) -> Option<(u32, u32)> {
    let tag = svg_root(b)?;
    let pixels = |name: &str| -> Option<f64> {
        let v = attribute(tag, name)?.trim();
        let v = v.strip_suffix("px").unwrap_or(v);
        v.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0)
    };
    let (w, h) = match (pixels("width"), pixels("height")) {
        (Some(w), Some(h)) => (w, h),
        _ => view_box_size(tag)?,
    };
    // Rounded, never to zero; sizes past a million pixels are nonsense.
    let px = |v: f64| v.round().clamp(1.0, 1_000_000.0) as u32;
    Some((px(w), px(h)))
}

/// The width and height of an SVG start tag's `viewBox`.
fn view_box_size(tag: &str) -> Option<(f64, f64)> {
    let view: Vec<f64> = attribute(tag, "viewBox")?
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match view[..] {
        [_, _, w, h] if w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0 => Some((w, h)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_each_format_from_its_header() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend([0, 0, 1, 0, 0, 0, 0, 64]);
        assert_eq!(sniff(&png), Some(Format::Png));
        assert_eq!(size(Format::Png, &png), Some((256, 64)));
        // SOI, an APP0 of 4 bytes, then SOF0: precision, height 30, width 40.
        let jpeg = b"\xff\xd8\xff\xe0\0\x04ab\xff\xc0\0\x11\x08\0\x1e\0\x28";
        assert_eq!(sniff(jpeg), Some(Format::Jpeg));
        assert_eq!(size(Format::Jpeg, jpeg), Some((40, 30)));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0".to_vec();
        webp.extend([99, 0, 0, 49, 0, 0]);
        assert_eq!(sniff(&webp), Some(Format::Webp));
        assert_eq!(size(Format::Webp, &webp), Some((100, 50)));
        let ico = b"\0\0\x01\0\x01\0\x20\x20";
        assert_eq!(sniff(ico), Some(Format::Ico));
        assert_eq!(size(Format::Ico, ico), Some((32, 32)));
    }

    #[test]
    fn an_svg_is_measured_from_width_and_height_or_its_view_box() {
        let ns = "xmlns=\"http://www.w3.org/2000/svg\"";
        let both = format!(
            "<?xml version=\"1.0\"?>\n<!-- a mark -->\n<svg {ns} width=\"120px\" height='40' viewBox=\"0 0 3 1\"/>"
        );
        assert_eq!(sniff(both.as_bytes()), Some(Format::Svg));
        assert_eq!(size(Format::Svg, both.as_bytes()), Some((120, 40)));
        let view = format!("<svg {ns} width=\"100%\" viewBox=\"0,0,24.4,12\"></svg>");
        assert_eq!(size(Format::Svg, view.as_bytes()), Some((24, 12)));
        let neither = format!("<svg {ns}><rect/></svg>");
        assert_eq!(size(Format::Svg, neither.as_bytes()), None);
        // Without the namespace an <img> shows nothing: not an SVG image.
        assert_eq!(sniff(b"<svg viewBox=\"0 0 1 1\"></svg>"), None);
        assert_eq!(sniff(b"<svgx xmlns=\"http://www.w3.org/2000/svg\">"), None);
    }
}
