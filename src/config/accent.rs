//! The accent colours a site may set in `mend.yaml` (`accent`, for the light
//! scheme, and `accent_dark`): read as `#rgb` or `#rrggbb` and checked for
//! 4.5:1 contrast with every surface the default theme puts accent-coloured
//! text on (page, cards, the tint behind the current link), so links and
//! buttons stay readable. Pure.

/// WCAG's minimum contrast for body-size text (1.4.3, AA).
const MIN_CONTRAST: f64 = 4.5;

/// The backgrounds of one of the default theme's colour schemes.
pub(super) struct Scheme {
    pub(crate) key: &'static str,
    name: &'static str,
    surfaces: [(&'static str, &'static str); 3],
}

pub(super) const LIGHT: Scheme = Scheme {
    key: "accent",
    name: "light",
    surfaces: [
        ("page background", "#fbfaf7"),
        ("card background", "#ffffff"),
        ("current link tint", "#e8f0f6"),
    ],
};

pub(super) const DARK: Scheme = Scheme {
    key: "accent_dark",
    name: "dark",
    surfaces: [
        ("page background", "#161a1f"),
        ("card background", "#1d2228"),
        ("current link tint", "#1f2d3a"),
    ],
};

/// The colour as `#rrggbb` in lower case, or what is wrong with it: not a
/// colour, or the first surface of `scheme` it does not meet 4.5:1 with.
pub(super) fn check(value: &str, scheme: &Scheme) -> Result<String, String> {
    let Some(rgb) = parse(value) else {
        return Err(format!(
            "`{}` must be a colour written `#rrggbb` or `#rgb`, not `{value}`",
            scheme.key
        ));
    };
    for (surface, background) in scheme.surfaces {
        let ratio = parse(background).map_or(0.0, |b| contrast(rgb, b));
        if ratio < MIN_CONTRAST {
            return Err(format!(
                "`{}` {value} has a contrast of {:.2}:1 with the {} scheme's {surface} {background}; links and buttons need at least {MIN_CONTRAST}:1",
                scheme.key,
                // Rounded down, so a failing ratio never reads as 4.50.
                (ratio * 100.0).floor() / 100.0,
                scheme.name,
            ));
        }
    }
    Ok(format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
}

fn parse(value: &str) -> Option<[u8; 3]> {
    let hex = value.strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize, len: usize| u8::from_str_radix(hex.get(i..i + len)?, 16).ok();
    match hex.len() {
        3 => Some([digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17]),
        6 => Some([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?]),
        _ => None,
    }
}

/// WCAG 2 contrast ratio of two sRGB colours.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let luminance = |c: [u8; 3]| {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_readable_colours_and_names_the_contrast_that_fails() {
        assert_eq!(check("#1F5F8B", &LIGHT), Ok("#1f5f8b".to_string()));
        assert_eq!(check("#000", &LIGHT), Ok("#000000".to_string()));
        assert_eq!(check("#8cc4ec", &DARK), Ok("#8cc4ec".to_string()));
        assert_eq!(
            check("#8cc4ec", &LIGHT),
            Err("`accent` #8cc4ec has a contrast of 1.79:1 with the light scheme's page background #fbfaf7; links and buttons need at least 4.5:1".to_string())
        );
        assert!(
            check("#1f5f8b", &DARK).is_err_and(|e| e.contains("dark scheme's page background"))
        );
        assert!(
            check("blue", &LIGHT).is_err_and(|e| e.contains("`#rrggbb` or `#rgb`, not `blue`"))
        );
        assert!(check("#12345", &LIGHT).is_err());
        assert!(check("#ééé", &LIGHT).is_err());
    }

    #[test]
    fn contrast_matches_wcag_examples() {
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        assert!((contrast([119, 119, 119], [255, 255, 255]) - 4.48).abs() < 0.01);
    }
}
