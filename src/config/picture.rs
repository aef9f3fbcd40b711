//! The pictures a site may name in `mend.yaml`: `logo` (shown before the
//! site title) and `favicon`. Checks the path as written and, once load has
//! read the file, that its bytes are the format its name says and how large
//! it is. Pure: never reads a file.

use std::sync::Arc;

/// A picture format browsers show everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
    Webp,
    Jpeg,
    Ico,
}

impl Format {
    /// The extension of the published file (`logo.svg`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Jpeg => "jpg",
            Format::Ico => "ico",
        }
    }

    /// The media type, for `<link rel="icon" type="...">`.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Jpeg => "image/jpeg",
            Format::Ico => "image/x-icon",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Svg => "SVG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Jpeg => "JPEG",
            Format::Ico => "ICO",
        }
    }

    fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "ico" => Some(Format::Ico),
            _ => None,
        }
    }
}

/// What a picture is for: its key in `mend.yaml` and the formats it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Role {
    pub key: &'static str,
    formats: &'static [Format],
    /// Whether its size in pixels is needed (the logo's, for the `<img>`).
    measured: bool,
}

pub const LOGO: Role = Role {
    key: "logo",
    formats: &[Format::Svg, Format::Png, Format::Webp, Format::Jpeg],
    measured: true,
};

pub const FAVICON: Role = Role {
    key: "favicon",
    formats: &[Format::Svg, Format::Png, Format::Ico],
    measured: false,
};

/// The largest picture accepted: a logo or favicon is fetched with the
/// first page a reader opens, and 256 KB is already five of our articles.
pub const MAX_BYTES: u64 = 256 * 1024;

/// A picture `mend.yaml` names. [`check_path`] makes it from the value as
/// written; load reads the file and fills `bytes`, `width` and `height`
/// (see [`inspect`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub role: Role,
    /// The path as written, relative to the project root.
    pub source: String,
    pub format: Format,
    pub bytes: Arc<[u8]>,
    /// Size in pixels (an SVG's from its `width` and `height`, or its
    /// `viewBox`); 0 until read, and for a favicon.
    pub width: u32,
    pub height: u32,
}

impl Picture {
    /// Where the build publishes it: `logo.svg`, `favicon.png`, ...
    pub fn output(&self) -> String {
        format!("{}.{}", self.role.key, self.format.extension())
    }
}

/// The path as written: inside the project, of a format `role` accepts.
pub fn check_path(role: Role, value: &str) -> Result<Picture, String> {
    let key = role.key;
    let outside = value.starts_with('/')
        || value.starts_with('\\')
        || value.get(1..2) == Some(":")
        || value.split(['/', '\\']).any(|s| s == "..");
    if value.trim().is_empty() || outside {
        return Err(format!(
            "`{key}` must be a path inside the project, relative to the folder of mend.yaml, not `{value}`"
        ));
    }
    let format = value
        .rsplit_once('.')
        .and_then(|(_, ext)| Format::from_extension(ext))
        .filter(|f| role.formats.contains(f));
    match format {
        Some(format) => Ok(Picture {
            role,
            source: value.to_string(),
            format,
            bytes: Arc::from(Vec::new()),
            width: 0,
            height: 0,
        }),
        None => Err(format!(
            "`{key}` must be {}, not `{value}`",
            formats_text(role)
        )),
    }
}

/// "an SVG, PNG or ICO file (.svg, .png or .ico)".
fn formats_text(role: Role) -> String {
    let names: Vec<String> = role.formats.iter().map(|f| f.name().to_string()).collect();
    let exts: Vec<String> = role
        .formats
        .iter()
        .flat_map(|f| match f {
            Format::Jpeg => vec![".jpg".to_string(), ".jpeg".to_string()],
            other => vec![format!(".{}", other.extension())],
        })
        .collect();
    let first = role.formats.first().map_or(Format::Svg, |f| *f);
    let names = or_list(&names);
    let article = article(first);
    let article = article.split(' ').next().unwrap_or("a");
    format!("{article} {names} file ({})", or_list(&exts))
}

/// "a, b or c".
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// What is wrong with a picture's bytes, and what would fix it.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub hint: Option<String>,
}

/// Check that `bytes` are the format `picture`'s name says, and measure
/// them when the role needs a size; gives `(width, height)` in pixels.
pub fn inspect(picture: &Picture, bytes: &[u8]) -> Result<(u32, u32), Problem> {
    let (key, source, format) = (picture.role.key, &picture.source, picture.format);
    let Some(found) = sniff(bytes) else {
        return Err(Problem {
            message: format!(
                "`{key}` file `{source}` is not {} image: its content is not one browsers show",
                article(format)
            ),
            hint: Some(format!("save it again as {}", format.name())),
        });
    };
    if found != format {
        let stem = source.rsplit_once('.').map_or(source.as_str(), |(s, _)| s);
        let allowed = picture.role.formats.contains(&found);
        return Err(Problem {
            message: format!(
                "`{key}` file `{source}` is {} image, not {} as its name says",
                article(found),
                format.name()
            ),
            hint: Some(if allowed {
                format!("rename it to `{stem}.{}`", found.extension())
            } else {
                format!("save it again as {}", format.name())
            }),
        });
    }
    if !picture.role.measured {
        return Ok((0, 0));
    }
    match size(found, bytes) {
        Some((w, h)) if w > 0 && h > 0 => Ok((w, h)),
        _ if found == Format::Svg => Err(Problem {
            message: format!("`{key}` file `{source}` does not say its size"),
            hint: Some(
                "give its <svg> element a viewBox, or a width and height in pixels".to_string(),
            ),
        }),
        _ => Err(Problem {
            message: format!(
                "`{key}` file `{source}` is a damaged {} image: its size cannot be read",
                found.name()
            ),
            hint: Some(format!("save it again as {}", found.name())),
        }),
    }
}

/// "a PNG", "an SVG".
fn article(format: Format) -> String {
    let a = if matches!(format, Format::Svg | Format::Ico) {
        "an"
    } else {
        "a"
    };
    format!("{a} {}", format.name())
}

/// The format the bytes are, by their signature (an SVG by its root
/// element, which must carry the SVG namespace, or `<img>` shows nothing).
fn sniff(bytes: &[u8]) -> Option<Format> {
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
fn size(format: Format, b: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| Some(u32::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?])));
    let le = |i: usize, n: usize| -> Option<u32> {
        let bytes = b.get(i..i + n)?;
        Some(bytes.iter().rev().fold(0, |v, &x| (v << 8) | u32::from(x)))
    };
    match format {
        Format::Png => {
            let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
            (b.get(12..16) == Some(b"IHDR")).then_some(())?;
            Some((be32(16)?, be32(20)?))
        }
        Format::Jpeg => {
            // Walk the segments to the first start-of-frame marker.
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
                let frame =
                    (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker);
                if frame {
                    return Some((be16(i + 7)?, be16(i + 5)?));
                }
                i += 2 + usize::try_from(be16(i + 2)?).ok()?;
            }
        }
        Format::Webp => match b.get(12..16)? {
            b"VP8 " => Some((le(26, 2)? & 0x3fff, le(28, 2)? & 0x3fff)),
            b"VP8L" => {
                let bits = le(21, 4)?;
                Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
            }
            b"VP8X" => Some((le(24, 3)? + 1, le(27, 3)? + 1)),
            _ => None,
        },
        Format::Ico => {
            let side = |v: u8| if v == 0 { 256 } else { u32::from(v) };
            Some((side(*b.get(6)?), side(*b.get(7)?)))
        }
        Format::Svg => {
            let tag = svg_root(b)?;
            let pixels = |name: &str| -> Option<f64> {
                let v = attribute(tag, name)?.trim();
                let v = v.strip_suffix("px").unwrap_or(v);
                v.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0)
            };
            let (w, h) = match (pixels("width"), pixels("height")) {
                (Some(w), Some(h)) => (w, h),
                _ => {
                    let view: Vec<f64> = attribute(tag, "viewBox")?
                        .split(|c: char| c.is_whitespace() || c == ',')
                        .filter(|s| !s.is_empty())
                        .map(str::parse)
                        .collect::<Result<_, _>>()
                        .ok()?;
                    match view[..] {
                        [_, _, w, h] if w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0 => {
                            (w, h)
                        }
                        _ => return None,
                    }
                }
            };
            // Rounded, never to zero; sizes past a million pixels are nonsense.
            let px = |v: f64| v.round().clamp(1.0, 1_000_000.0) as u32;
            Some((px(w), px(h)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(role: Role, source: &str) -> Picture {
        check_path(role, source).unwrap()
    }

    #[test]
    fn paths_must_stay_inside_and_name_an_accepted_format() {
        assert_eq!(picture(LOGO, "assets/Logo.JPEG").format, Format::Jpeg);
        assert_eq!(picture(LOGO, "assets/Logo.JPEG").output(), "logo.jpg");
        assert_eq!(picture(FAVICON, "icon.ico").output(), "favicon.ico");
        for outside in [
            "/etc/logo.svg",
            "../logo.svg",
            "a/../../b.svg",
            "C:/x.svg",
            " ",
        ] {
            assert!(
                check_path(LOGO, outside).is_err_and(|e| e.contains("inside the project")),
                "{outside}"
            );
        }
        assert_eq!(
            check_path(LOGO, "logo.gif").unwrap_err(),
            "`logo` must be an SVG, PNG, WebP or JPEG file (.svg, .png, .webp, .jpg or .jpeg), not `logo.gif`"
        );
        assert_eq!(
            check_path(FAVICON, "icon.webp").unwrap_err(),
            "`favicon` must be an SVG, PNG or ICO file (.svg, .png or .ico), not `icon.webp`"
        );
    }

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

    #[test]
    fn a_picture_of_another_format_than_its_name_says_is_an_error_with_a_rename() {
        let logo = picture(LOGO, "assets/logo.png");
        let err = inspect(
            &logo,
            b"\xff\xd8\xff\xe0\0\x04ab\xff\xc0\0\x11\x08\0\x1e\0\x28",
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "`logo` file `assets/logo.png` is a JPEG image, not PNG as its name says"
        );
        assert_eq!(err.hint.as_deref(), Some("rename it to `assets/logo.jpg`"));
        let err = inspect(&logo, b"GIF89a").unwrap_err();
        assert_eq!(
            err.message,
            "`logo` file `assets/logo.png` is not a PNG image: its content is not one browsers show"
        );
        // A favicon is not measured.
        let icon = picture(FAVICON, "icon.svg");
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"4\"/></svg>";
        assert_eq!(inspect(&icon, svg), Ok((0, 0)));
    }
}
