//! The distribution of delivered / indicated hours per policy, as bars of the share in each
//! band (none, under half, ..., full).
//!
//! With mothers.csv (`--mothers`) each mother is one observation: her delivered over her
//! indicated hours. Without it, the finest the outputs give is weekly.csv: each region-week
//! (per replication) is one observation, its delivered over its indicated (demand) hours; that
//! ratio can pass 100% when care is front-loaded, so its top band is "100% or more". The
//! chart says which it shows.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{BANDS, DistributionSource, RunData};
use super::{
    DrawResult, Meta, Ticked, draw_legend, label_style, nice_ceiling, policy_colour, tick_style,
    title_style,
};

struct Bars {
    policy: String,
    /// Percent of the group's observations per band.
    shares: Vec<f64>,
}

pub struct DistributionChart {
    title: String,
    caption: String,
    unit: &'static str,
    bands: Vec<String>,
    bars: Vec<Bars>,
    y_max: f64,
}

impl DistributionChart {
    pub fn new(data: &RunData) -> DistributionChart {
        let dist = &data.distribution;
        let per_mother = dist.source == DistributionSource::Mothers;
        let bars: Vec<Bars> = data
            .first_variant_groups()
            .into_iter()
            .map(|g| {
                let counts = dist.counts.get(g).copied().unwrap_or_default();
                let total = counts.iter().sum::<u64>().max(1) as f64;
                Bars {
                    policy: data.groups[g].policy.clone(),
                    shares: counts.iter().map(|&c| 100.0 * c as f64 / total).collect(),
                }
            })
            .collect();
        let y_max = nice_ceiling(
            bars.iter()
                .flat_map(|b| b.shares.iter().copied())
                .fold(0.0, f64::max)
                * 1.12,
        )
        .min(100.0);
        let bands = BANDS
            .iter()
            .enumerate()
            .map(|(i, (label, _))| {
                if i == BANDS.len() - 1 {
                    if per_mother {
                        "100% (full)".to_string()
                    } else {
                        "100% or more".to_string()
                    }
                } else {
                    label.to_string()
                }
            })
            .collect();
        let variant = data.first_variant_note();
        let (title, caption, unit) = if per_mother {
            (
                format!(
                    "Delivered as a share of indicated hours, per mother: {}{variant}",
                    data.name()
                ),
                "Each mother's delivered hours as a percentage of her indicated hours \
                 (mothers.csv), grouped in bands, as a percentage of all mothers of the \
                 policy over all replications. Mothers turned away at registration \
                 (refuse-when-full) are in the lowest band, with nothing delivered."
                    .to_string(),
                "% of mothers",
            )
        } else {
            (
                format!(
                    "Delivered as a share of indicated hours, per region and week: {}{variant}",
                    data.name()
                ),
                "Without mothers.csv (run with --mothers for the per-mother distribution): \
                 each region-week's delivered hours as a percentage of its indicated (demand) \
                 hours, one observation per region, week and replication, in bands. Care is \
                 front-loaded, so a week can get more than its share: \"100% or more\" means \
                 the week's demand was met. The demand counts every mother whose care falls \
                 in the week, those turned away at registration (refuse-when-full) included: \
                 a policy that refuses mothers is not flattered by a smaller demand."
                    .to_string(),
                "% of region-weeks",
            )
        };
        DistributionChart {
            title,
            caption,
            unit,
            bands,
            bars,
            y_max,
        }
    }

    pub(super) fn meta(&self) -> Meta {
        Meta {
            name: "delivered-distribution",
            title: self.title.clone(),
            caption: self.caption.clone(),
            size: (1200, 560),
        }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let root = root.titled(&self.title, title_style())?;
        let nb = self.bands.len();
        let centres: Vec<f64> = (0..nb).map(|b| b as f64 + 0.5).collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .margin_top(4)
            .x_label_area_size(52)
            .y_label_area_size(76)
            .build_cartesian_2d(Ticked::new(0f64..nb as f64, centres), 0f64..self.y_max)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(245, 245, 245))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_label_formatter(&|x| {
                self.bands
                    .get(x.floor().max(0.0) as usize)
                    .cloned()
                    .unwrap_or_default()
            })
            .y_label_formatter(&|y| format!("{y}%"))
            .x_desc("delivered as a percentage of indicated hours")
            .y_desc(self.unit)
            .label_style(tick_style())
            .axis_desc_style(label_style())
            .draw()?;
        let k = self.bars.len().max(1) as f64;
        let width = 0.8 / k;
        for (i, bars) in self.bars.iter().enumerate() {
            let colour = policy_colour(&bars.policy);
            let x_of = move |b: usize| b as f64 + 0.1 + i as f64 * width;
            chart
                .draw_series(bars.shares.iter().enumerate().map(|(b, &v)| {
                    Rectangle::new([(x_of(b), 0.0), (x_of(b) + width, v)], colour.filled())
                }))?
                .label(bars.policy.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 7), (x + 18, y + 7)], colour.filled())
                });
            chart.draw_series(bars.shares.iter().enumerate().map(|(b, &v)| {
                Rectangle::new(
                    [(x_of(b), 0.0), (x_of(b) + width, v)],
                    BLACK.stroke_width(1),
                )
            }))?;
            if self.bars.len() <= 4 {
                chart.draw_series(bars.shares.iter().enumerate().map(|(b, &v)| {
                    let text = if v >= 10.0 {
                        format!("{v:.0}%")
                    } else {
                        format!("{v:.1}%")
                    };
                    Text::new(
                        text,
                        (x_of(b) + width / 2.0, v + self.y_max * 0.01),
                        ("sans-serif", 13)
                            .into_font()
                            .color(&BLACK)
                            .pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )
                }))?;
            }
        }
        draw_legend(&mut chart)
    }
}
