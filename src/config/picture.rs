//! The pictures a site may name in `mend.yaml`: `logo` (shown before the
//! site title) and `favicon`. Checks the path as written and, once load has
//! read the file, that its bytes are the format its name says and how large
//! it is. Pure: never reads a file.

use std::sync::Arc;

mod header;

use header::{size, sniff};

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
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Jpeg => "jpg",
            Format::Ico => "ico",
        }
    }

    /// The media type, for `<link rel="icon" type="...">`.
    pub(crate) fn mime(self) -> &'static str {
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
    pub(crate) key: &'static str,
    formats: &'static [Format],
    /// Whether its size in pixels is needed (the logo's, for the `<img>`).
    measured: bool,
}

pub(crate) const LOGO: Role = Role {
    key: "logo",
    formats: &[Format::Svg, Format::Png, Format::Webp, Format::Jpeg],
    measured: true,
};

pub(crate) const FAVICON: Role = Role {
    key: "favicon",
    formats: &[Format::Svg, Format::Png, Format::Ico],
    measured: false,
};

/// The largest picture accepted: a logo or favicon is fetched with the
/// first page a reader opens, and 256 KB is already five of our articles.
pub(crate) const MAX_BYTES: u64 = 256 * 1024;

/// A picture `mend.yaml` names. [`check_path`] makes it from the value as
/// written; load reads the file and fills `bytes`, `width` and `height`
/// (see [`inspect`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub(crate) role: Role,
    /// The path as written, relative to the project root.
    pub(crate) source: String,
    pub(crate) format: Format,
    pub(crate) bytes: Arc<[u8]>,
    /// Size in pixels (an SVG's from its `width` and `height`, or its
    /// `viewBox`); 0 until read, and for a favicon.
    pub(crate) width: u32,
    pub(crate) height: u32,
}

impl Picture {
    /// Where the build publishes it: `logo.svg`, `favicon.png`, ...
    pub(crate) fn output(&self) -> String {
        format!("{}.{}", self.role.key, self.format.extension())
    }
}

/// The path as written: inside the project, of a format `role` accepts.
pub(crate) fn check_path(role: Role, value: &str) -> Result<Picture, String> {
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
pub(crate) struct Problem {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

/// Check that `bytes` are the format `picture`'s name says, and measure
/// them when the role needs a size; gives `(width, height)` in pixels.
pub(crate) fn inspect(picture: &Picture, bytes: &[u8]) -> Result<(u32, u32), Problem> {
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
