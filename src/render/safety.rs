//! Render the safety features: what every page's layout needs for the quick
//! exit and the help note, and the safety page itself.
//!
//! Takes the validated [`Safety`] of the site configuration and a page's
//! [`Urls`]; gives typed template contexts and the `safety/index.html`
//! page. Pure, like the rest of `render`; renders nothing when the site
//! has no `safety:` block.

use serde::Serialize;

use super::{Renderer, SiteContext};
use crate::error::Diagnostic;
use crate::safety::{HELP_ANCHOR, Resource, Safety};
use crate::urls::{Page, Urls};
use crate::write::OutputFile;

/// The template of the safety page; only needed when `safety:` is configured.
pub(crate) const TEMPLATE: &str = "safety.html";

/// What every page's layout needs: the exit button and the links beside it.
#[derive(Serialize)]
pub(super) struct SafetyLinks<'a> {
    /// Where the exit button leaves to (absolute, http or https).
    exit_url: &'a str,
    /// The safety page, relative to this page.
    page_url: String,
    /// The list of help services on the safety page.
    help_url: String,
    /// The short note articles show near their top.
    note: &'a str,
}

impl<'a> SafetyLinks<'a> {
    pub(super) fn new(safety: &'a Safety, urls: &Urls) -> SafetyLinks<'a> {
        let page_url = urls.to(Page::Safety);
        SafetyLinks {
            exit_url: &safety.exit_url,
            help_url: format!("{page_url}#{HELP_ANCHOR}"),
            page_url,
            note: &safety.note,
        }
    }
}

#[derive(Serialize)]
struct ResourceView<'a> {
    name: &'a str,
    phone: Option<&'a str>,
    /// `tel:` and the digits of `phone`.
    tel: Option<String>,
    text: Option<&'a str>,
    chat: Option<&'a str>,
    url: Option<&'a str>,
    description: Option<&'a str>,
}

#[derive(Serialize)]
struct RegionGroup<'a> {
    region: &'a str,
    resources: Vec<ResourceView<'a>>,
}

#[derive(Serialize)]
struct SafetyPage<'a> {
    site: SiteContext<'a>,
    title: &'a str,
    intro: &'a str,
    exit_url: &'a str,
    help_anchor: &'static str,
    groups: Vec<RegionGroup<'a>>,
}

fn view(r: &Resource) -> ResourceView<'_> {
    ResourceView {
        name: &r.name,
        phone: r.phone.as_deref(),
        tel: r.tel(),
        text: r.text.as_deref(),
        chat: r.chat.as_deref(),
        url: r.url.as_deref(),
        description: r.description.as_deref(),
    }
}

/// `safety/index.html`, from the theme's `safety.html`.
pub(super) fn page(r: &Renderer<'_>, safety: &Safety) -> Result<OutputFile, Diagnostic> {
    if !r.templates.paths.contains_key(TEMPLATE) {
        return Err(Diagnostic::usage(format!(
            "template `{TEMPLATE}` not found in theme `{}`",
            r.templates.theme
        ))
        .in_file(format!("themes/{}/templates", r.templates.theme))
        .with_hint(
            "the `safety:` block of mend.yaml publishes a safety page: copy `safety.html` from the default theme (`mend init`)",
        ));
    }
    let urls = r.urls(Page::Safety);
    let mut site = r.site_context(
        &urls,
        Page::Safety,
        Some(&safety.page_title),
        &safety.page_intro,
        super::nav::Here::Other,
    );
    site.breadcrumbs = r.crumbs(&urls, &[]);
    let page = SafetyPage {
        site,
        title: &safety.page_title,
        intro: &safety.page_intro,
        exit_url: &safety.exit_url,
        help_anchor: HELP_ANCHOR,
        groups: safety
            .by_region()
            .into_iter()
            .map(|(region, list)| RegionGroup {
                region,
                resources: list.into_iter().map(view).collect(),
            })
            .collect(),
    };
    r.render(
        TEMPLATE,
        &page,
        Page::Safety.output_path(),
        "the safety page",
    )
}
