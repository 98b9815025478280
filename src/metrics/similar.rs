//! "Similar postmortems": for each postmortem, up to three others that share its services,
//! contributing factors or title terms — the knowledge a reader of one incident should not miss.
//!
//! The score of a pair is the sum of what they share: 3 per service, 2 per contributing factor,
//! 1 per title term. Title terms are the title's words in lower case, split at anything that is
//! not a letter or digit, of three characters or more, not all digits and not in a short list of
//! filler words ("after", "with", …). A pair needs a score of at least 2 (one shared title word
//! alone is not enough). Suggestions are ordered by score, then the more recent incident first,
//! then by path, so the same repository always gives the same suggestions.
//!
//! A feature shared by more than 5% of the postmortems (and by more than 200 of them) is too
//! common to mean anything and is not counted. Candidates are found through an inverted index
//! (feature → postmortems, in order of start), never by comparing every pair; and a feature that
//! many postmortems share is compared only between the [`NEAREST`] postmortems on either side in
//! that order — the incidents closest in time. That keeps the work linear in the number of
//! postmortems (without it, a service shared by 5% of 100,000 postmortems makes every one of them
//! visit 5,000 others), and it is symmetric: two postmortems are within each other's reach or
//! neither is, so a pair always has one score. Repositories where no feature is shared by more
//! than `2 × NEAREST + 1` postmortems get exactly the scores of an all-pairs comparison.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use super::Facts;

/// Points for a shared service.
const SERVICE_WEIGHT: u32 = 3;
/// Points for a shared contributing factor.
const FACTOR_WEIGHT: u32 = 2;
/// Points for a shared title term.
const TERM_WEIGHT: u32 = 1;
/// The least score worth suggesting.
const MIN_SCORE: u32 = 2;
/// Suggestions per postmortem.
const LIMIT: usize = 3;
/// A feature shared by more than a twentieth of the postmortems, and by more than this many, is
/// too common to count.
const TOO_COMMON_FLOOR: usize = 200;
/// How many postmortems on either side, in order of start, share a feature's points: the bound
/// that keeps the work per postmortem constant however large the repository grows.
const NEAREST: usize = 100;

/// Title words that say nothing about what broke.
const FILLER: &[&str] = &[
    "about", "across", "after", "again", "all", "and", "are", "before", "but", "by", "during",
    "for", "from", "has", "its", "into", "not", "off", "our", "out", "over", "than", "that", "the",
    "then", "this", "through", "too", "under", "until", "was", "were", "when", "while", "with",
    "without",
];

/// A suggested similar postmortem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Its id.
    pub id: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// Its file, repo-relative.
    pub path: String,
    /// How similar: 3 per shared service, 2 per factor, 1 per title term.
    pub score: u32,
    /// What the two share.
    pub shared: Shared,
}

/// What two postmortems have in common.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Shared {
    /// Services both list.
    pub services: Vec<String>,
    /// Contributing factors both name.
    pub contributing_factors: Vec<String>,
    /// Title terms both use.
    pub title_terms: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Service,
    Factor,
    Term,
}

impl Kind {
    const fn weight(self) -> u32 {
        match self {
            Kind::Service => SERVICE_WEIGHT,
            Kind::Factor => FACTOR_WEIGHT,
            Kind::Term => TERM_WEIGHT,
        }
    }
}

/// The distinct terms of a title, sorted.
pub(super) fn title_terms(title: &str) -> Vec<String> {
    let mut terms: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| {
            w.chars().count() >= 3
                && !w.chars().all(|c| c.is_ascii_digit())
                && !FILLER.contains(&w.as_str())
        })
        .collect();
    terms.sort();
    terms.dedup();
    terms
}

/// Suggestions for every postmortem of `facts`, keyed by path.
pub(super) fn suggest(facts: &[Facts<'_>]) -> BTreeMap<String, Vec<Suggestion>> {
    let n = facts.len();
    let terms: Vec<Vec<String>> =
        facts.par_iter().map(|f| f.title.map(title_terms).unwrap_or_default()).collect();

    // Posting lists are filled in order of start (undated last, then by path), so the entries
    // near a postmortem's own place in a list are the incidents nearest to it in time.
    let mut order: Vec<usize> = (0..n).collect();
    order.par_sort_by(|&a, &b| {
        match (facts[a].started, facts[b].started) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| facts[a].path.cmp(facts[b].path))
    });

    // Intern every feature and build its posting list (the postmortems that have it); each
    // postmortem remembers its place in every list it is on.
    let mut ids: HashMap<(Kind, &str), usize> = HashMap::new();
    let mut postings: Vec<Vec<u32>> = Vec::new();
    let mut features: Vec<Vec<(usize, Kind, usize)>> = vec![Vec::new(); n];
    for &i in &order {
        let f = &facts[i];
        let own = f
            .services
            .iter()
            .map(|s| (Kind::Service, *s))
            .chain(f.factors.iter().map(|c| (Kind::Factor, *c)))
            .chain(terms[i].iter().map(|t| (Kind::Term, t.as_str())));
        let mut mine = Vec::new();
        for key in own {
            let id = *ids.entry(key).or_insert_with(|| {
                postings.push(Vec::new());
                postings.len() - 1
            });
            if let Some(list) = postings.get_mut(id) {
                mine.push((id, key.0, list.len()));
                list.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        features[i] = mine;
    }
    let too_common = (n / 20).max(TOO_COMMON_FLOOR);

    let suggestions: Vec<Vec<(usize, u32)>> = (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0u32; n], Vec::<usize>::new()),
            |(scores, touched), i| {
                for &(feature, kind, at) in &features[i] {
                    let list = &postings[feature];
                    if list.len() > too_common {
                        continue;
                    }
                    let near = at.saturating_sub(NEAREST)..list.len().min(at + NEAREST + 1);
                    for &j in &list[near] {
                        let j = j as usize;
                        if j == i {
                            continue;
                        }
                        if scores[j] == 0 {
                            touched.push(j);
                        }
                        scores[j] += kind.weight();
                    }
                }
                let mut best: Vec<(usize, u32)> = Vec::with_capacity(LIMIT + 1);
                for &j in touched.iter() {
                    let score = scores[j];
                    scores[j] = 0;
                    // Below the least score worth suggesting, or below a full list's last entry:
                    // cannot make the list (the common case, checked without touching `facts`).
                    let floor = if best.len() == LIMIT { best[LIMIT - 1].1 } else { MIN_SCORE };
                    if score < floor {
                        continue;
                    }
                    let at = best
                        .iter()
                        .position(|&(k, s)| before((j, score), (k, s), facts))
                        .unwrap_or(best.len());
                    if at < LIMIT {
                        best.insert(at, (j, score));
                        best.truncate(LIMIT);
                    }
                }
                touched.clear();
                best
            },
        )
        .collect();

    // Building the owned output is allocation-heavy: done in parallel, then sorted into the map.
    let lists: Vec<(String, Vec<Suggestion>)> = facts
        .par_iter()
        .zip(suggestions)
        .enumerate()
        .map(|(i, (f, best))| {
            let list = best
                .into_iter()
                .map(|(j, score)| {
                    let other = &facts[j];
                    Suggestion {
                        id: other.id.map(str::to_owned),
                        title: other.title.map(str::to_owned),
                        path: other.path.to_owned(),
                        score,
                        shared: Shared {
                            services: common(&f.services, &other.services),
                            contributing_factors: common(&f.factors, &other.factors),
                            title_terms: common(&terms[i], &terms[j]),
                        },
                    }
                })
                .collect();
            (f.path.to_owned(), list)
        })
        .collect();
    lists.into_iter().collect()
}

/// Whether candidate `a` ranks before `b`: higher score, then the more recent start (undated
/// last), then the path.
fn before(a: (usize, u32), b: (usize, u32), facts: &[Facts<'_>]) -> bool {
    let (fa, fb) = (&facts[a.0], &facts[b.0]);
    b.1.cmp(&a.1)
        .then_with(|| match (fa.started, fb.started) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        })
        .then_with(|| fa.path.cmp(fb.path))
        .is_lt()
}

/// The values both sorted lists hold, as owned strings.
fn common<S: AsRef<str>>(a: &[S], b: &[S]) -> Vec<String> {
    a.iter()
        .filter(|x| b.iter().any(|y| y.as_ref() == x.as_ref()))
        .map(|x| x.as_ref().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_terms_drop_filler_short_words_and_numbers() {
        assert_eq!(
            title_terms("DNS resolution failures after a resolver upgrade in 2026"),
            ["dns", "failures", "resolution", "resolver", "upgrade"]
        );
        assert_eq!(title_terms("Ödeme API: ödeme hataları"), ["api", "hataları", "ödeme"]);
        assert!(title_terms("a to of 42").is_empty());
    }

    fn facts<'a>(path: &'a str, hour: i64, services: Vec<&'a str>) -> Facts<'a> {
        Facts {
            path,
            id: None,
            title: None,
            severity: "SEV3",
            team: "",
            services,
            factors: Vec::new(),
            detection: "",
            started: jiff::Timestamp::from_second(hour * 3600).ok(),
            start_date: None,
            month: None,
            minutes: [None; 3],
            published: true,
            days_to_publish: None,
            on_time: None,
            overdue: false,
            completion: None,
            items: Vec::new(),
            slos: &[],
        }
    }

    /// A service shared by more than `2 × NEAREST + 1` postmortems (but not by so many that it is
    /// too common) gives its points only to the incidents nearest in time: the earliest of them is
    /// offered its nearest neighbours, never the most recent ones an all-pairs comparison would
    /// rank first on a tie.
    #[test]
    fn a_widely_shared_feature_is_compared_between_neighbours_in_time() {
        let n = 5_000;
        let shared = 240;
        let paths: Vec<String> = (0..n).map(|i| format!("p/{i:05}.md")).collect();
        let alone: Vec<String> = (0..n).map(|i| format!("svc-{i}")).collect();
        let all: Vec<Facts<'_>> = (0..n)
            .map(|i| {
                let services = if i < shared { vec!["core"] } else { vec![alone[i].as_str()] };
                facts(&paths[i], i64::try_from(i).unwrap_or(0), services)
            })
            .collect();
        assert!(shared > 2 * NEAREST + 1 && shared <= (n / 20).max(TOO_COMMON_FLOOR));
        let got = suggest(&all);
        let first: Vec<&str> = got["p/00000.md"].iter().map(|s| s.path.as_str()).collect();
        let reach = format!("p/{NEAREST:05}.md");
        assert_eq!(first, [reach.as_str(), "p/00099.md", "p/00098.md"]);
        // The last of the shared postmortems reaches back exactly as far, no further.
        let last = &got[&format!("p/{:05}.md", shared - 1)];
        assert!(
            last.iter()
                .all(|s| s.path.as_str() >= format!("p/{:05}.md", shared - 1 - NEAREST).as_str())
        );
        assert_eq!(last.len(), LIMIT);
    }
}
