//! Statistics over replications: mean and a 95% confidence interval.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean and 95% confidence interval of a sample (Student t, n - 1 degrees of freedom).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    /// `None` with fewer than two replications: no interval can be given.
    pub ci95: Option<(f64, f64)>,
    pub n: usize,
}

impl Estimate {
    /// Half the interval's width, 0 when there is no interval.
    pub fn half_width(&self) -> f64 {
        self.ci95.map_or(0.0, |(lo, hi)| (hi - lo) / 2.0)
    }
}

/// Estimates the mean of `values` with its 95% interval.
pub fn estimate(values: &[f64]) -> Estimate {
    let n = values.len();
    let mean = if n == 0 {
        0.0
    } else {
        values.iter().sum::<f64>() / n as f64
    };
    if n < 2 {
        return Estimate {
            mean,
            ci95: None,
            n,
        };
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .expect("n >= 2 gives a valid t distribution")
        .inverse_cdf(0.975);
    let half = t * (var / n as f64).sqrt();
    Estimate {
        mean,
        ci95: Some((mean - half, mean + half)),
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_matches_hand_computation() {
        // mean 2, sd 1, n 3: t(0.975, 2) = 4.302653 -> half width 4.302653 / sqrt(3).
        let e = estimate(&[1.0, 2.0, 3.0]);
        assert_eq!(e.mean, 2.0);
        let (lo, hi) = e.ci95.unwrap();
        let half = 4.302_652_729_749_464 / 3f64.sqrt();
        assert!((lo - (2.0 - half)).abs() < 1e-9 && (hi - (2.0 + half)).abs() < 1e-9);
    }

    #[test]
    fn single_value_has_no_interval() {
        let e = estimate(&[5.0]);
        assert_eq!((e.mean, e.ci95, e.n), (5.0, None, 1));
    }

    #[test]
    fn constant_sample_has_zero_width() {
        let e = estimate(&[4.0; 10]);
        assert_eq!(e.ci95, Some((4.0, 4.0)));
    }
}
