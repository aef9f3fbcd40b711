//! `mend check`'s safety warning: an article that mentions abuse, violence
//! or self-harm should point readers to help.
//!
//! Takes the linked corpus and each article's file text; gives a warning,
//! at the first such word, for every article that mentions one of
//! `safety.check_terms` but links neither to the safety page (`[[safety]]`)
//! nor to one of `safety.resources` (its phone as a `tel:` link, its chat or
//! its website). Nothing when the site has no `safety:` block. Pure.

use std::collections::HashMap;

use crate::error::Diagnostic;
use crate::link::{KnowledgeBase, Resolved};
use crate::safety::Safety;

/// One warning per article that mentions a term without a link to help.
pub(super) fn lint(kb: &KnowledgeBase, texts: &HashMap<&str, &str>) -> Vec<Diagnostic> {
    let Some(safety) = &kb.site.safety else {
        return Vec::new();
    };
    let help = help_targets(safety);
    let mut warnings = Vec::new();
    for (article, connections) in kb.articles.iter().zip(kb.connections.iter()) {
        let links_to_help = connections.links.iter().any(|link| match link {
            Resolved::SafetyPage(_) => true,
            Resolved::External(url) => help.iter().any(|h| same_target(url, h.as_str())),
            _ => false,
        });
        if links_to_help {
            continue;
        }
        let body = &*article.markdown;
        let Some((at, term)) = first_term(body, &safety.check_terms) else {
            continue;
        };
        let message =
            format!("mentions `{term}` but links neither to the safety page nor to a help service");
        let d = match texts.get(article.slug.as_str()) {
            Some(text) if text.ends_with(body) => Diagnostic::error(message)
                .in_file(&article.path)
                .at_offset(text, text.len() - body.len() + at, term.len()),
            _ => Diagnostic::error(message).in_file(&article.path),
        };
        warnings.push(d.into_warning().with_hint(
            "a reader this concerns may need help now: link to `[[safety]]` or `[[safety#help]]`",
        ));
    }
    warnings
}

/// Links that count as pointing to help: each resource's `tel:`, chat and website.
fn help_targets(safety: &Safety) -> Vec<String> {
    let mut out = Vec::new();
    for r in &safety.resources {
        out.extend(r.tel());
        out.extend(r.chat.iter().cloned());
        out.extend(r.url.iter().cloned());
    }
    out
}

/// The same address, give or take a trailing slash; phone numbers by their digits.
fn same_target(url: &str, target: &str) -> bool {
    match (url.strip_prefix("tel:"), target.strip_prefix("tel:")) {
        (Some(a), Some(b)) => {
            let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
            digits(a) == digits(b)
        }
        _ => url.trim_end_matches('/') == target.trim_end_matches('/'),
    }
}

/// The byte offset and text of the first term found as a whole word
/// (ASCII case folded, so offsets stay those of `text`).
fn first_term<'t>(text: &str, terms: &'t [String]) -> Option<(usize, &'t str)> {
    let folded = text.to_ascii_lowercase();
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    terms
        .iter()
        .filter_map(|term| {
            folded
                .match_indices(term.as_str())
                .find(|(i, _)| {
                    let before = folded[..*i].chars().next_back();
                    let after = folded[i + term.len()..].chars().next();
                    !before.is_some_and(is_word) && !after.is_some_and(is_word)
                })
                .map(|(i, _)| (i, term.as_str()))
        })
        .min_by_key(|(i, _)| *i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_whole_word_term_in_any_case() {
        let terms = vec!["abuse".to_string(), "self-harm".to_string()];
        assert_eq!(
            first_term("No abuses here. Self-harm and Abuse.", &terms),
            Some((16, "self-harm"))
        );
        assert_eq!(first_term("disabused", &terms), None);
    }

    #[test]
    fn phone_links_match_by_digits_and_addresses_by_slash() {
        assert!(same_target("tel:1-800-799-7233", "tel:18007997233"));
        assert!(same_target(
            "https://findahelpline.com",
            "https://findahelpline.com/"
        ));
        assert!(!same_target("tel:988", "tel:116123"));
    }
}
