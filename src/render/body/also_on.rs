//! The "More on ..." disclosure under a tagged section of an article: the
//! theme's page and a few other articles treating the theme.
//!
//! Takes the knowledge base and the page's [`Urls`]; gives the HTML. Pure.

use crate::link::{KnowledgeBase, SectionRef};
use crate::urls::{Page, Urls};

use super::escape;

/// How many other articles an "also on" line names per theme.
const ALSO_ON_LIMIT: usize = 3;

/// The disclosure under a tagged section ("More on Apology and
/// Forgiveness"), closed until opened: for each of its themes, the theme's
/// page and, the first time the article treats that theme, the other
/// articles with sections on it (each link goes to that article's first such
/// section). Later sections on the same theme list only the theme, which
/// keeps long, densely tagged articles light.
pub(super) fn also_on(
    kb: &KnowledgeBase,
    a: usize,
    h: usize,
    urls: &Urls,
    shown: &mut Vec<usize>,
) -> Option<String> {
    let heading = kb.articles[a].headings.get(h)?;
    if heading.themes.is_empty() {
        return None;
    }
    let mut titles = Vec::new();
    let mut items = String::new();
    for id in &heading.themes {
        let Some(t) = kb.site.theme_index(id) else {
            continue;
        };
        let theme = &kb.site.themes[t];
        titles.push(escape(&theme.title));
        let theme_url = escape(&urls.to(Page::Theme(&theme.id)));
        let all_firsts = &kb.themes[t].first_sections;
        let others = all_firsts.len()
            - usize::from(all_firsts.binary_search_by_key(&a, |&(b, _)| b).is_ok());
        items.push_str(&format!(
            "<li><a href=\"{theme_url}\">Every section on {}</a>",
            escape(&theme.title)
        ));
        if others > 0 && !shown.contains(&t) {
            shown.push(t);
            push_others(kb, a, all_firsts, others, urls, &mut items);
        }
        items.push_str("</li>");
    }
    if titles.is_empty() {
        return None;
    }
    Some(format!(
        "<details class=\"also-on\"><summary>More on {}</summary><ul>{items}</ul></details>\n",
        and_list(&titles)
    ))
}

/// Push to `items` the list of the first [`ALSO_ON_LIMIT`] articles but `a`
/// in `firsts` (each article's first section on a theme, `others` of them
/// not `a`'s), and how many more the theme's page has.
fn push_others(
    kb: &KnowledgeBase,
    a: usize,
    firsts: &[SectionRef],
    others: usize,
    urls: &Urls,
    items: &mut String,
) {
    let links: Vec<String> = firsts
        .iter()
        .filter(|&&(b, _)| b != a)
        .take(ALSO_ON_LIMIT)
        .map(|&(b, bh)| {
            let target = &kb.articles[b];
            let section = &target.headings[bh];
            format!(
                "<li><a href=\"{}#{}\">{}</a> <span>› {}</span></li>",
                escape(&urls.to(Page::Article(&target.slug))),
                escape(&section.id),
                escape(&target.title),
                escape(&section.text)
            )
        })
        .collect();
    items.push_str(&format!("<ul>{}</ul>", links.concat()));
    if others > ALSO_ON_LIMIT {
        items.push_str(&format!(
            "<span>and {} more on its page</span>",
            others - ALSO_ON_LIMIT
        ));
    }
}

/// "A", "A and B", "A, B and C".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
