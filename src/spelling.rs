//! Did-you-mean suggestions: the candidate a misspelt word most likely means.
//!
//! A leaf: shared by the scenario reader (unknown keys and names) and the country table
//! (`"Chna"` → China), and so depending on neither.

/// The nearest valid key to a misspelt one, if any is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
