//! Safety for readers at risk: the `safety:` block of `mend.yaml`.
//!
//! Takes the block as written (part of [`crate::config`]'s strict parse);
//! gives a validated [`Safety`]: the quick-exit address, the safety page's
//! title and introduction, the note shown on every article, the help
//! services grouped by region, and the words `mend check` looks for.
//! Mistakes are usage errors at `mend.yaml:line:col`. Everything it gives is
//! off unless the block exists. Never reads files and never renders.

mod items;

use serde::Deserialize;

use crate::error::Diagnostic;
use crate::yaml::Block;
use items::{ItemAt, resource_items};

/// The section of the safety page that lists the help services.
pub(crate) const HELP_ANCHOR: &str = "help";

/// The name articles link to the safety page by: `[[safety]]`, `[[safety#help]]`.
pub(crate) const PAGE_SLUG: &str = "safety";

/// The section ids of the default theme's safety page, in order.
pub(crate) const PAGE_SECTIONS: [&str; 5] = [
    "exit",
    "private-browsing",
    "clear-history",
    "another-device",
    HELP_ANCHOR,
];

/// Whether an article's link to the safety page names one of its sections.
pub(crate) fn check_fragment(fragment: Option<&str>) -> Result<(), String> {
    match fragment {
        Some(f) if !PAGE_SECTIONS.contains(&f) => Err(format!(
            "no section `#{f}` on the safety page (sections: {})",
            PAGE_SECTIONS
                .iter()
                .map(|s| format!("#{s}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => Ok(()),
    }
}

/// A neutral page that shows nothing personal, as GOV.UK's exit button uses.
pub(crate) const DEFAULT_EXIT_URL: &str = "https://www.bbc.co.uk/weather";

const DEFAULT_TITLE: &str = "Staying safe while you read";

const DEFAULT_INTRO: &str = "If someone else may check this device, these steps can help you \
read this site more safely. None of them is a guarantee.";

const DEFAULT_NOTE: &str = "General information, not professional advice. If you are afraid \
of your partner, or there is control, threats or violence, this guidance is not for your \
situation.";

/// Words that suggest an article touches on abuse, violence or self-harm.
pub(crate) const DEFAULT_TERMS: [&str; 15] = [
    "abuse",
    "abused",
    "abuser",
    "abusive",
    "violence",
    "violent",
    "coercion",
    "coercive",
    "threats",
    "stalking",
    "suicide",
    "suicidal",
    "self-harm",
    "hurt yourself",
    "kill yourself",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSafety {
    #[serde(default)]
    exit_url: Option<String>,
    #[serde(default)]
    page: RawPage,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    resources: Vec<RawResource>,
    #[serde(default)]
    check_terms: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    intro: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResource {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    chat: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// The validated `safety:` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Safety {
    /// Where the exit button and the Shift shortcut take the reader (http or https).
    pub(crate) exit_url: String,
    pub(crate) page_title: String,
    pub(crate) page_intro: String,
    /// The short note near the top of every article.
    pub(crate) note: String,
    /// Help services in the order written.
    pub(crate) resources: Vec<Resource>,
    /// Lowercase words and phrases that draw a `mend check` warning.
    pub(crate) check_terms: Vec<String>,
}

/// A service a reader can contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub(crate) name: String,
    /// Who it serves, e.g. "United States"; resources are grouped by it.
    pub(crate) region: String,
    /// As written, e.g. "116 123".
    pub(crate) phone: Option<String>,
    /// A text-message service, as written (e.g. "Text 988").
    pub(crate) text: Option<String>,
    /// An online chat (http or https).
    pub(crate) chat: Option<String>,
    /// A website (http or https).
    pub(crate) url: Option<String>,
    pub(crate) description: Option<String>,
}

/// The region of resources that do not name one.
pub(crate) const ANY_REGION: &str = "Anywhere";

impl Resource {
    /// `tel:` and the number's digits (a leading `+` kept): `116 123` -> `tel:116123`.
    pub(crate) fn tel(&self) -> Option<String> {
        let phone = self.phone.as_deref()?;
        let mut out = String::from("tel:");
        for (i, c) in phone.trim().chars().enumerate() {
            if c.is_ascii_digit() || (c == '+' && i == 0) {
                out.push(c);
            }
        }
        Some(out)
    }
}

impl Safety {
    /// The resources grouped by region, regions in order of first appearance.
    pub(crate) fn by_region(&self) -> Vec<(&str, Vec<&Resource>)> {
        let mut groups: Vec<(&str, Vec<&Resource>)> = Vec::new();
        for r in &self.resources {
            match groups.iter_mut().find(|(region, _)| *region == r.region) {
                Some((_, list)) => list.push(r),
                None => groups.push((&r.region, vec![r])),
            }
        }
        groups
    }
}

/// Validate the block; each mistake is pushed to `errors` at its place in `block`.
pub(crate) fn from_raw(raw: RawSafety, block: &Block<'_>, errors: &mut Vec<Diagnostic>) -> Safety {
    let exit_url = exit_url(raw.exit_url, block, errors);
    let items = resource_items(block.text);
    let resources = raw
        .resources
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let at = ItemAt {
                block,
                items: &items,
                i,
            };
            resource(r, &at, errors)
        })
        .collect();
    Safety {
        exit_url,
        page_title: raw.page.title.unwrap_or_else(|| DEFAULT_TITLE.to_string()),
        page_intro: raw.page.intro.unwrap_or_else(|| DEFAULT_INTRO.to_string()),
        note: raw.note.unwrap_or_else(|| DEFAULT_NOTE.to_string()),
        resources,
        check_terms: match raw.check_terms {
            Some(terms) => terms
                .iter()
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty())
                .collect(),
            None => DEFAULT_TERMS.iter().map(|t| t.to_string()).collect(),
        },
    }
}

/// The quick-exit address as written, or the default; one that is not a
/// web address is an error.
fn exit_url(written: Option<String>, block: &Block<'_>, errors: &mut Vec<Diagnostic>) -> String {
    let Some(url) = written else {
        return DEFAULT_EXIT_URL.to_string();
    };
    if !is_web_url(&url) {
        errors.push(block.error_at_value(
            "exit_url",
            &url,
            format!("`safety.exit_url` must be an http:// or https:// address, not `{url}`"),
        ));
    }
    url
}

/// A help service, its mistakes pushed to `errors`.
fn resource(r: RawResource, at: &ItemAt<'_>, errors: &mut Vec<Diagnostic>) -> Resource {
    let i = at.i;
    let name = r.name.as_deref().map(str::trim).unwrap_or_default();
    let shown = if name.is_empty() {
        format!("safety.resources[{i}]")
    } else {
        format!("safety.resources[{i}] (`{name}`)")
    };
    if name.is_empty() {
        errors.push(at.error(format!("{shown} needs a `name`")));
    }
    check_contacts(&r, &shown, at, errors);
    Resource {
        name: name.to_string(),
        region: r
            .region
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| ANY_REGION.to_string()),
        phone: r.phone,
        text: r.text,
        chat: r.chat,
        url: r.url,
        description: r.description,
    }
}

/// A service needs a way to reach it, a phone number that is one, and web
/// addresses for `chat` and `url`.
fn check_contacts(r: &RawResource, shown: &str, at: &ItemAt<'_>, errors: &mut Vec<Diagnostic>) {
    if [&r.phone, &r.text, &r.chat, &r.url]
        .iter()
        .all(|v| v.as_deref().is_none_or(|s| s.trim().is_empty()))
    {
        errors.push(
            at.error(format!("{shown} needs a way to reach it"))
                .with_hint("add at least one of `phone`, `text`, `chat` or `url`"),
        );
    }
    if let Some(phone) = &r.phone
        && (phone.chars().filter(char::is_ascii_digit).count() < 3
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c)))
    {
        errors.push(at.error_at_value(
            phone,
            format!(
                "{shown}: phone `{phone}` must be digits, with spaces, `+`, `-`, `(`, `)` or `.` at most"
            ),
        ));
    }
    for (key, value) in [("chat", &r.chat), ("url", &r.url)] {
        if let Some(v) = value
            && !is_web_url(v)
        {
            errors.push(at.error_at_value(
                v,
                format!("{shown}: `{key}` must be an http:// or https:// address, not `{v}`"),
            ));
        }
    }
}

/// An absolute http(s) address with a host and nothing that could end an attribute.
fn is_web_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>`".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_become_tel_links() {
        let r = |phone: &str| Resource {
            name: "N".into(),
            region: ANY_REGION.into(),
            phone: Some(phone.into()),
            text: None,
            chat: None,
            url: None,
            description: None,
        };
        assert_eq!(r("116 123").tel().as_deref(), Some("tel:116123"));
        assert_eq!(
            r("1-800-799-7233").tel().as_deref(),
            Some("tel:18007997233")
        );
        assert_eq!(
            r("+1 (800) 799-7233").tel().as_deref(),
            Some("tel:+18007997233")
        );
    }

    #[test]
    fn web_urls_need_a_scheme_and_a_host() {
        assert!(is_web_url("https://www.bbc.co.uk/weather"));
        for bad in [
            "javascript:alert(1)",
            "https://",
            "//x",
            "http://a b",
            "ftp://x",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }
}
