use super::*;

#[test]
fn count_words_agrees_with_unicode_whitespace() {
    let by_chars = |text: &str, in_word: &mut bool| {
        let mut n = 0;
        for c in text.chars() {
            let word = !c.is_whitespace();
            n += usize::from(word && !*in_word);
            *in_word = word;
        }
        n
    };
    for text in [
        "",
        "one two  three",
        " \t\n\u{0B}\u{0C}\r lead and trail \r\n",
        "no\u{00A0}break\u{2003}em\u{3000}ideographic\u{85}next",
        "café — naïve 中文 👩‍💻 x",
        "\u{2028}\u{2029}",
    ] {
        for start in [false, true] {
            let (mut a, mut b) = (start, start);
            assert_eq!(
                count_words(text, &mut a),
                by_chars(text, &mut b),
                "{text:?}"
            );
            assert_eq!(a, b, "{text:?}");
        }
    }
}
