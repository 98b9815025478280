//! The order statistics and rates the metrics report: median, 90th percentile and shares.
//!
//! Durations of incidents are skewed (most are short, a few last a day), so the metrics report
//! the median and the 90th percentile, never the mean. Both methods are written here once and
//! shown on the pages in words:
//!
//! - **median**: the middle value of the sorted values; for an even count, the mean of the two
//!   middle values;
//! - **p90** (nearest rank): the value at rank ⌈0.9 × n⌉ of the values sorted in ascending order
//!   (1-based). It is always a value that was observed: with 5 values it is the largest, with
//!   10 values the 9th.
//!
//! Every statistic of an empty set is `None` (null in JSON, "—" in tables): a median of nothing
//! is not zero, and nothing here divides by zero.

use serde::Serialize;

/// The median of `sorted` (ascending): the middle value, or the mean of the two middle values
/// for an even count. `None` when empty.
pub fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    if n % 2 == 1 { sorted.get(mid).copied() } else { Some((sorted[mid - 1] + sorted[mid]) / 2.0) }
}

/// The 90th percentile of `sorted` (ascending) by the nearest-rank method: the value at rank
/// ⌈0.9 × n⌉ (1-based). `None` when empty.
pub fn p90(sorted: &[f64]) -> Option<f64> {
    nearest_rank(sorted, 90)
}

/// The `percent`th percentile of `sorted` (ascending) by nearest rank: rank ⌈percent/100 × n⌉,
/// at least 1. Integer arithmetic, so 0.9 × 10 is exactly rank 9.
pub fn nearest_rank(sorted: &[f64], percent: usize) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (percent * n).div_ceil(100).clamp(1, n);
    sorted.get(rank - 1).copied()
}

/// `part / whole`, or `None` when `whole` is zero.
pub fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Count, median and p90 of a set of values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    /// How many values.
    pub count: usize,
    /// The median (`null` when there are none).
    pub median: Option<f64>,
    /// The 90th percentile, nearest rank (`null` when there are none).
    pub p90: Option<f64>,
}

impl Summary {
    /// Summarises `values` (in any order).
    pub fn of(mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        Self { count: values.len(), median: median(&values), p90: p90(&values) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[1.0, 2.0, 10.0]), Some(2.0));
        // Even: the mean of the two middle values.
        assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), Some(3.0));
        assert_eq!(median(&[45.0, 50.0]), Some(47.5));
    }

    #[test]
    fn p90_is_nearest_rank() {
        assert_eq!(p90(&[]), None);
        assert_eq!(p90(&[3.0]), Some(3.0));
        // ⌈0.9 × 2⌉ = 2, ⌈0.9 × 5⌉ = 5, ⌈0.9 × 10⌉ = 9, ⌈0.9 × 11⌉ = 10.
        assert_eq!(p90(&[1.0, 2.0]), Some(2.0));
        assert_eq!(p90(&[1.0, 2.0, 3.0, 4.0, 5.0]), Some(5.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(p90(&ten), Some(9.0));
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(p90(&eleven), Some(10.0));
        assert_eq!(nearest_rank(&ten, 50), Some(5.0));
        assert_eq!(nearest_rank(&ten, 0), Some(1.0));
    }

    #[test]
    fn summaries_sort_first() {
        let s = Summary::of(vec![30.0, 2.0, 6.0, 10.0, 4.0]);
        assert_eq!(s, Summary { count: 5, median: Some(6.0), p90: Some(30.0) });
        assert_eq!(Summary::of(Vec::new()), Summary { count: 0, median: None, p90: None });
    }

    #[test]
    fn rates_of_empty_sets_are_none() {
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(3, 5), Some(0.6));
        assert_eq!(rate(0, 4), Some(0.0));
    }
}
