//! The site's own pictures from `mend.yaml`: the logo before the title and
//! the favicon, as template values (addressed from the page) and as files
//! of the output. Pure.

use serde::Serialize;

use crate::config::{Picture, SiteConfig};
use crate::urls::Urls;
use crate::write::OutputFile;

/// The logo's height in the header on wide screens, in CSS pixels: its
/// `<img>` says this size, in the picture's proportions, so nothing moves
/// as it loads (the stylesheet may show it smaller, in proportion).
const LOGO_HEIGHT: u32 = 32;

/// A logo wider than this many times its height is fitted into that box:
/// on a phone it shares a row with the menu button and the colour switch.
const LOGO_MAX_RATIO: u32 = 3;

/// The logo as the header shows it.
#[derive(Serialize)]
pub(super) struct LogoView {
    /// Its address from this page (`../../logo.svg`).
    src: String,
    /// Its size in the header, in CSS pixels, keeping its proportions.
    width: u32,
    height: u32,
}

/// The favicon, for `<link rel="icon">`.
#[derive(Serialize)]
pub(super) struct IconView {
    href: String,
    /// Its media type (`image/svg+xml`).
    r#type: &'static str,
}

pub(super) fn logo(site: &SiteConfig, urls: &Urls) -> Option<LogoView> {
    let logo = site.logo.as_ref()?;
    let width = (u64::from(logo.width) * u64::from(LOGO_HEIGHT) + u64::from(logo.height) / 2)
        / u64::from(logo.height.max(1));
    Some(LogoView {
        src: urls.asset(&logo.output()),
        width: u32::try_from(width)
            .unwrap_or(u32::MAX)
            .clamp(1, LOGO_HEIGHT * LOGO_MAX_RATIO),
        height: LOGO_HEIGHT,
    })
}

pub(super) fn favicon(site: &SiteConfig, urls: &Urls) -> Option<IconView> {
    let icon = site.favicon.as_ref()?;
    Some(IconView {
        href: urls.asset(&icon.output()),
        r#type: icon.format.mime(),
    })
}

/// The pictures to publish, at `logo.<ext>` and `favicon.<ext>`.
pub(super) fn files(site: &SiteConfig) -> Vec<OutputFile> {
    [&site.logo, &site.favicon]
        .into_iter()
        .flatten()
        .map(|p: &Picture| OutputFile {
            path: p.output(),
            bytes: p.bytes.to_vec(),
        })
        .collect()
}
