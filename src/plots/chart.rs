//! Drawing primitives shared by every figure: x–y charts (scatter, lines, dashed
//! reference lines, step functions, vertical markers, optional log axes) and box
//! plots, laid out as one or more panels and saved as SVG and PNG.
//!
//! Why a small description layer instead of calling plotters from each figure:
//! plotters' chart type depends on the coordinate type, so a linear and a log
//! axis are different Rust types and every figure would need four code paths.
//! Here a figure only *describes* what to draw ([`Chart`], [`BoxPlot`]) in data
//! coordinates; this file draws it once for any backend. Log axes are drawn as
//! linear axes over log₁₀ of the data with tick labels showing the original values,
//! which keeps a single coordinate type. Both files of a figure come from the
//! same description, so the SVG and the PNG cannot disagree.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};

use super::fonts::{ensure_font, FONT};

/// Title font size in pixels.
const TITLE_PX: u32 = 30;
/// Panel caption font size.
const CAPTION_PX: u32 = 24;
/// Axis description font size.
const AXIS_PX: u32 = 22;
/// Tick label font size.
const TICK_PX: u32 = 18;
/// Legend font size.
const LEGEND_PX: u32 = 17;

/// A colour-blind-friendly palette (Tableau 10); series pick colours by index.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour with index `i` (wrapping); index [`BLACK_INDEX`] is black.
pub fn color(i: usize) -> RGBColor {
    if i == BLACK_INDEX {
        RGBColor(0, 0, 0)
    } else {
        PALETTE[i % PALETTE.len()]
    }
}

/// Colour index for black (proven bounds are drawn in black or grey).
pub const BLACK_INDEX: usize = usize::MAX;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    /// Filled dots of this radius in pixels.
    Dots(u32),
    /// Hollow circles of this radius (markers for special points).
    Rings(u32),
    /// A solid polyline.
    Line,
    /// A dashed polyline (reference lines, proven bounds).
    Dashed,
    /// A step function: the value `y_i` holds on `[x_i, x_{i+1})`; the last point
    /// only marks where the final step ends.
    Step,
}

/// What a series covers.
#[derive(Clone, Debug, PartialEq)]
pub enum Geometry {
    /// Points in data coordinates.
    Points(Vec<(f64, f64)>),
    /// A horizontal line y = c across the whole x range.
    HLine(f64),
    /// A vertical line x = c across the whole y range.
    VLine(f64),
}

/// One series with its legend entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text; `None` keeps it out of the legend.
    pub label: Option<String>,
    /// Palette index (see [`color`]).
    pub color: usize,
    /// How it is drawn.
    pub mark: Mark,
    /// Where it is.
    pub geometry: Geometry,
}

impl Series {
    /// A series of points.
    pub fn points(
        label: impl Into<String>,
        color: usize,
        mark: Mark,
        pts: Vec<(f64, f64)>,
    ) -> Series {
        Series {
            label: Some(label.into()),
            color,
            mark,
            geometry: Geometry::Points(pts),
        }
    }

    /// A dashed horizontal reference line.
    pub fn hline(label: impl Into<String>, color: usize, y: f64) -> Series {
        Series {
            label: Some(label.into()),
            color,
            mark: Mark::Dashed,
            geometry: Geometry::HLine(y),
        }
    }

    /// A dashed vertical marker.
    pub fn vline(label: impl Into<String>, color: usize, x: f64) -> Series {
        Series {
            label: Some(label.into()),
            color,
            mark: Mark::Dashed,
            geometry: Geometry::VLine(x),
        }
    }

    /// A function sampled at `xs`, drawn with `mark` (usually a bound: dashed).
    pub fn function(
        label: impl Into<String>,
        color: usize,
        mark: Mark,
        xs: impl IntoIterator<Item = f64>,
        f: impl Fn(f64) -> f64,
    ) -> Series {
        Series::points(
            label,
            color,
            mark,
            xs.into_iter().map(|x| (x, f(x))).collect(),
        )
    }

    /// The dashed black diagonal y = x across the unit square, which several
    /// figures draw as a proven bound between two losses in [0, 1].
    pub fn diagonal(label: impl Into<String>) -> Series {
        Series::function(
            label,
            BLACK_INDEX,
            Mark::Dashed,
            linspace(0.0, 1.0, 2),
            |x| x,
        )
    }

    /// Hides the series from the legend.
    pub fn unlabelled(mut self) -> Series {
        self.label = None;
        self
    }
}

/// `count` evenly spaced values from `a` to `b` inclusive.
pub fn linspace(a: f64, b: f64, count: usize) -> Vec<f64> {
    let count = count.max(2);
    (0..count)
        .map(|i| a + (b - a) * i as f64 / (count - 1) as f64)
        .collect()
}

/// `count` geometrically spaced values from `a` to `b` inclusive (both > 0).
pub fn geomspace(a: f64, b: f64, count: usize) -> Vec<f64> {
    linspace(a.ln(), b.ln(), count)
        .into_iter()
        .map(f64::exp)
        .collect()
}

/// Where the legend goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendAt {
    /// Upper left corner inside the plot.
    UpperLeft,
    /// Upper right corner.
    UpperRight,
    /// Lower left corner.
    LowerLeft,
    /// Lower right corner.
    LowerRight,
}

/// An x–y chart in data coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Panel caption (the figure title is separate).
    pub caption: String,
    /// x axis description (quantity and unit).
    pub x_label: String,
    /// y axis description.
    pub y_label: String,
    /// log₁₀ x axis.
    pub log_x: bool,
    /// log₁₀ y axis.
    pub log_y: bool,
    /// Fixed x range in data coordinates; automatic from the data otherwise.
    pub x_range: Option<(f64, f64)>,
    /// Fixed y range.
    pub y_range: Option<(f64, f64)>,
    /// Label only integer x ticks (epochs, counts).
    pub integer_x: bool,
    /// Legend position.
    pub legend: LegendAt,
    /// Series, drawn in order (later on top).
    pub series: Vec<Series>,
}

impl Chart {
    /// An empty chart with linear axes and the legend upper left.
    pub fn new(
        caption: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Chart {
        Chart {
            caption: caption.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_x: false,
            log_y: false,
            x_range: None,
            y_range: None,
            integer_x: false,
            legend: LegendAt::UpperLeft,
            series: Vec::new(),
        }
    }
}

/// Box-plot summary of one group: Tukey's convention.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxStats {
    /// Number of values.
    pub n: usize,
    /// Median.
    pub median: f64,
    /// Mean (drawn as a diamond).
    pub mean: f64,
    /// First quartile.
    pub q1: f64,
    /// Third quartile.
    pub q3: f64,
    /// Smallest value ≥ q1 − 1.5·IQR.
    pub whisker_lo: f64,
    /// Largest value ≤ q3 + 1.5·IQR.
    pub whisker_hi: f64,
    /// Values outside the whiskers.
    pub outliers: Vec<f64>,
}

/// Quantile by linear interpolation between order statistics (R's type 7) of
/// sorted, non-empty values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Median, quartiles, 1.5·IQR whiskers and outliers; `None` without finite values.
pub fn box_stats(values: &[f64]) -> Option<BoxStats> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let (q1, median, q3) = (quantile(&v, 0.25), quantile(&v, 0.5), quantile(&v, 0.75));
    let iqr = q3 - q1;
    let (lo_fence, hi_fence) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
    let inside: Vec<f64> = v
        .iter()
        .copied()
        .filter(|x| *x >= lo_fence && *x <= hi_fence)
        .collect();
    Some(BoxStats {
        n: v.len(),
        median,
        mean: v.iter().sum::<f64>() / v.len() as f64,
        q1,
        q3,
        whisker_lo: inside.first().copied().unwrap_or(q1),
        whisker_hi: inside.last().copied().unwrap_or(q3),
        outliers: v
            .into_iter()
            .filter(|x| *x < lo_fence || *x > hi_fence)
            .collect(),
    })
}

/// Box plots of several groups on one axis.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxPlot {
    /// Panel caption.
    pub caption: String,
    /// x axis description (what the groups are).
    pub x_label: String,
    /// y axis description.
    pub y_label: String,
    /// Fixed y range; automatic otherwise.
    pub y_range: Option<(f64, f64)>,
    /// (group name, values).
    pub groups: Vec<(String, Vec<f64>)>,
}

/// One panel of a figure.
#[derive(Clone, Debug, PartialEq)]
pub enum Panel {
    /// An x–y chart.
    Xy(Chart),
    /// Box plots.
    Box(BoxPlot),
}

/// Default size of a one-panel figure in pixels.
pub const SINGLE: (u32, u32) = (1000, 700);
/// Default size of a two-panel figure.
pub const DOUBLE: (u32, u32) = (1600, 700);

/// Draws `panels` side by side under `title` and writes `STEM.svg` and `STEM.png`.
pub fn save(stem: &Path, title: &str, panels: &[Panel], size: (u32, u32)) -> Result<Vec<PathBuf>> {
    ensure_font()?;
    let svg = stem.with_extension("svg");
    let png = stem.with_extension("png");
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        draw(&root, title, panels).map_err(|e| Error::input(&svg, format!("cannot draw: {e}")))?;
    }
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        draw(&root, title, panels).map_err(|e| Error::input(&png, format!("cannot draw: {e}")))?;
    }
    Ok(vec![svg, png])
}

type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    panels: &[Panel],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let body = root.titled(title, (FONT, TITLE_PX).into_font().color(&BLACK))?;
    let areas = body.split_evenly((1, panels.len().max(1)));
    for (area, panel) in areas.iter().zip(panels) {
        match panel {
            Panel::Xy(c) => draw_chart(area, c)?,
            Panel::Box(b) => draw_box(area, b)?,
        }
    }
    root.present()?;
    Ok(())
}

/// Data → drawing coordinate on one axis.
fn tf(v: f64, log: bool) -> Option<f64> {
    if !log {
        v.is_finite().then_some(v)
    } else if v > 0.0 && v.is_finite() {
        Some(v.log10())
    } else {
        None
    }
}

/// Padded range of values, or (0, 1) for none.
fn auto_range(vals: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        return (lo - 0.5, hi + 0.5);
    }
    let d = (hi - lo) * pad;
    (lo - d, hi + d)
}

/// A tick label: short, without trailing zeros.
pub fn tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    let s = if (1e-3..1e5).contains(&a) {
        let digits = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
        format!("{v:.digits$}")
    } else {
        return format!("{v:.0e}");
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The label of a tick at log₁₀ position `e`: the value to two significant digits
/// (plotters places ticks evenly in log space, so 10^1.5 reads "32", not "31.62").
pub fn log_tick(e: f64) -> String {
    let v = 10f64.powf(e);
    let scale = 10f64.powf(v.log10().floor() - 1.0);
    tick((v / scale).round() * scale)
}

fn chart_ranges(c: &Chart) -> ((f64, f64), (f64, f64)) {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for s in &c.series {
        match &s.geometry {
            Geometry::Points(p) => {
                for &(x, y) in p {
                    if let (Some(x), Some(y)) = (tf(x, c.log_x), tf(y, c.log_y)) {
                        xs.push(x);
                        ys.push(y);
                    }
                }
            }
            Geometry::HLine(y) => ys.extend(tf(*y, c.log_y)),
            Geometry::VLine(x) => xs.extend(tf(*x, c.log_x)),
        }
    }
    let fixed =
        |r: Option<(f64, f64)>, log: bool| r.and_then(|(a, b)| Some((tf(a, log)?, tf(b, log)?)));
    (
        fixed(c.x_range, c.log_x).unwrap_or_else(|| auto_range(xs.into_iter(), 0.03)),
        fixed(c.y_range, c.log_y).unwrap_or_else(|| auto_range(ys.into_iter(), 0.05)),
    )
}

fn legend_position(l: LegendAt) -> SeriesLabelPosition {
    match l {
        LegendAt::UpperLeft => SeriesLabelPosition::UpperLeft,
        LegendAt::UpperRight => SeriesLabelPosition::UpperRight,
        LegendAt::LowerLeft => SeriesLabelPosition::LowerLeft,
        LegendAt::LowerRight => SeriesLabelPosition::LowerRight,
    }
}

fn draw_chart<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Chart) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let ((x0, x1), (y0, y1)) = chart_ranges(c);
    let mut chart = ChartBuilder::on(area)
        .caption(&c.caption, (FONT, CAPTION_PX))
        .margin(18)
        .x_label_area_size(65)
        .y_label_area_size(95)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let (log_x, log_y) = (c.log_x, c.log_y);
    let integer_x = c.integer_x;
    let fx = move |v: &f64| {
        if log_x {
            log_tick(*v)
        } else if integer_x && (v - v.round()).abs() > 1e-9 {
            String::new()
        } else {
            tick(*v)
        }
    };
    let fy = move |v: &f64| if log_y { log_tick(*v) } else { tick(*v) };
    chart
        .configure_mesh()
        .x_desc(c.x_label.as_str())
        .y_desc(c.y_label.as_str())
        .axis_desc_style((FONT, AXIS_PX))
        .label_style((FONT, TICK_PX))
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .x_labels(8)
        .y_labels(8)
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;
    let mut any_label = false;
    for s in &c.series {
        let col = color(s.color);
        let pts: Vec<(f64, f64)> = match &s.geometry {
            Geometry::Points(p) => p
                .iter()
                .filter_map(|&(x, y)| Some((tf(x, log_x)?, tf(y, log_y)?)))
                .collect(),
            Geometry::HLine(y) => match tf(*y, log_y) {
                Some(y) => vec![(x0, y), (x1, y)],
                None => continue,
            },
            Geometry::VLine(x) => match tf(*x, log_x) {
                Some(x) => vec![(x, y0), (x, y1)],
                None => continue,
            },
        };
        let mark = s.mark;
        let pts = if matches!(mark, Mark::Dots(_) | Mark::Rings(_)) {
            let inside = |v: f64, a: f64, b: f64| v >= a.min(b) && v <= a.max(b);
            pts.into_iter()
                .filter(|&(x, y)| inside(x, x0, x1) && inside(y, y0, y1))
                .collect()
        } else {
            pts
        };
        let anno = match mark {
            Mark::Dots(r) => {
                chart.draw_series(pts.iter().map(move |&p| Circle::new(p, r, col.filled())))?
            }
            Mark::Rings(r) => chart.draw_series(
                pts.iter()
                    .map(move |&p| Circle::new(p, r, col.stroke_width(3))),
            )?,
            Mark::Line => chart.draw_series(LineSeries::new(pts, col.stroke_width(3)))?,
            Mark::Dashed => {
                chart.draw_series(DashedLineSeries::new(pts, 10, 6, col.stroke_width(2)))?
            }
            Mark::Step => {
                let mut path = Vec::new();
                for w in pts.windows(2) {
                    path.push(w[0]);
                    path.push((w[1].0, w[0].1));
                }
                if let Some(&last) = pts.last() {
                    path.push(last);
                }
                chart.draw_series(LineSeries::new(path, col.stroke_width(3)))?
            }
        };
        if let Some(label) = &s.label {
            any_label = true;
            let anno = anno.label(label.as_str());
            match mark {
                Mark::Dots(_) => {
                    anno.legend(move |(x, y)| Circle::new((x + 15, y), 5, col.filled()))
                }
                Mark::Rings(_) => {
                    anno.legend(move |(x, y)| Circle::new((x + 15, y), 7, col.stroke_width(3)))
                }
                Mark::Line | Mark::Step => anno.legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 30, y)], col.stroke_width(3))
                }),
                Mark::Dashed => anno.legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (11, 0)], col.stroke_width(2))
                        + PathElement::new(vec![(18, 0), (30, 0)], col.stroke_width(2))
                }),
            };
        }
    }
    if any_label {
        chart
            .configure_series_labels()
            .position(legend_position(c.legend))
            .margin(12)
            .legend_area_size(40)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(120, 120, 120))
            .label_font((FONT, LEGEND_PX))
            .draw()?;
    }
    Ok(())
}

fn draw_box<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, b: &BoxPlot) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let stats: Vec<(String, Option<BoxStats>)> = b
        .groups
        .iter()
        .map(|(name, v)| (name.clone(), box_stats(v)))
        .collect();
    let (y0, y1) = b.y_range.unwrap_or_else(|| {
        auto_range(
            stats.iter().filter_map(|(_, s)| s.as_ref()).flat_map(|s| {
                [s.whisker_lo, s.whisker_hi]
                    .into_iter()
                    .chain(s.outliers.iter().copied())
            }),
            0.06,
        )
    });
    let k = stats.len().max(1);
    let names: Vec<String> = stats.iter().map(|(n, _)| n.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .caption(&b.caption, (FONT, CAPTION_PX))
        .margin(18)
        .margin_top(50)
        .x_label_area_size(65)
        .y_label_area_size(95)
        .build_cartesian_2d(-0.5f64..(k as f64 - 0.5), y0..y1)?;
    let fx = |v: &f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 {
            names.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .x_desc(b.x_label.as_str())
        .y_desc(b.y_label.as_str())
        .axis_desc_style((FONT, AXIS_PX))
        .label_style((FONT, TICK_PX))
        .x_labels(k)
        .x_label_formatter(&fx)
        .y_label_formatter(&|v: &f64| tick(*v))
        .disable_x_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;
    let half = 0.3;
    for (i, (_, s)) in stats.iter().enumerate() {
        let Some(s) = s else { continue };
        let x = i as f64;
        let col = color(i);
        let edge = col.stroke_width(2);
        chart.draw_series([Rectangle::new(
            [(x - half, s.q1), (x + half, s.q3)],
            col.mix(0.25).filled(),
        )])?;
        chart.draw_series([Rectangle::new([(x - half, s.q1), (x + half, s.q3)], edge)])?;
        chart.draw_series([
            PathElement::new(vec![(x, s.q3), (x, s.whisker_hi)], edge),
            PathElement::new(vec![(x, s.q1), (x, s.whisker_lo)], edge),
            PathElement::new(
                vec![
                    (x - half / 2.0, s.whisker_hi),
                    (x + half / 2.0, s.whisker_hi),
                ],
                edge,
            ),
            PathElement::new(
                vec![
                    (x - half / 2.0, s.whisker_lo),
                    (x + half / 2.0, s.whisker_lo),
                ],
                edge,
            ),
        ])?;
        chart.draw_series([PathElement::new(
            vec![(x - half, s.median), (x + half, s.median)],
            BLACK.stroke_width(4),
        )])?;
        chart.draw_series([TriangleMarker::new((x, s.mean), 8, BLACK.filled())])?;
        chart.draw_series(
            s.outliers
                .iter()
                .map(|&v| Circle::new((x, v), 4, col.stroke_width(2))),
        )?;
    }
    box_key(area, &chart.plotting_area().get_pixel_range())?;
    Ok(())
}

/// The key of a box plot, drawn as one row in the band between the panel caption
/// and the plot so that it can never hide data (box plots of scores fill both
/// the top and the bottom of their axis).
fn box_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &(std::ops::Range<i32>, std::ops::Range<i32>),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (bx, by) = area.get_base_pixel();
    let y = plot.1.start - by - 62;
    let mut x = plot.0.start - bx + 4;
    let font: TextStyle = (FONT, LEGEND_PX).into_font().into();
    let text = |x: &mut i32, t: &str| -> DrawResult {
        let (w, h) = area.estimate_text_size(t, &font)?;
        area.draw(&Text::new(
            t.to_string(),
            (*x, y - h as i32 / 2),
            font.clone(),
        ))?;
        *x += w as i32 + 22;
        Ok(())
    };
    area.draw(&PathElement::new(
        vec![(x, y), (x + 26, y)],
        BLACK.stroke_width(4),
    ))?;
    x += 32;
    text(&mut x, "median")?;
    area.draw(&TriangleMarker::new((x + 6, y), 8, BLACK.filled()))?;
    x += 18;
    text(&mut x, "mean")?;
    area.draw(&Circle::new((x + 5, y), 5, BLACK.stroke_width(2)))?;
    x += 16;
    text(&mut x, "outlier")?;
    text(&mut x, "box: quartiles, whiskers: 1.5 IQR")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 0.25), 1.75);
        assert_eq!(quantile(&v, 1.0), 4.0);
    }

    #[test]
    fn box_stats_whiskers_and_outliers() {
        let mut v: Vec<f64> = (1..=9).map(f64::from).collect();
        v.push(100.0);
        let s = box_stats(&v).unwrap();
        assert_eq!(s.median, 5.5);
        assert_eq!(s.outliers, vec![100.0]);
        assert_eq!(s.whisker_hi, 9.0);
        assert_eq!(s.whisker_lo, 1.0);
        assert!(box_stats(&[f64::NAN]).is_none());
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.5), "0.5");
        assert_eq!(tick(100.0), "100");
        assert_eq!(tick(0.1716), "0.1716");
        assert_eq!(tick(2.0), "2");
        assert_eq!(log_tick(1.5), "32");
        assert_eq!(log_tick(2.0), "100");
        assert_eq!(log_tick(0.2), "1.6");
    }

    #[test]
    fn draws_every_mark_and_a_box_plot() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Chart::new("panel", "x (units)", "y (units)");
        c.log_x = true;
        c.series = vec![
            Series::points("dots", 0, Mark::Dots(3), vec![(1.0, 1.0), (10.0, 2.0)]),
            Series::points("line", 1, Mark::Line, vec![(1.0, 0.5), (10.0, 1.5)]),
            Series::points(
                "step",
                2,
                Mark::Step,
                vec![(1.0, 0.2), (3.0, 0.8), (10.0, 0.8)],
            ),
            Series::hline("h", BLACK_INDEX, 1.0),
            Series::vline("v", 3, 5.0),
        ];
        let b = BoxPlot {
            caption: "boxes".into(),
            x_label: "group".into(),
            y_label: "value".into(),
            y_range: None,
            groups: vec![
                ("a".into(), vec![1.0, 2.0, 3.0, 10.0]),
                ("b".into(), vec![2.0]),
            ],
        };
        let files = save(
            &dir.path().join("t"),
            "title",
            &[Panel::Xy(c), Panel::Box(b)],
            DOUBLE,
        )
        .unwrap();
        assert_eq!(files.len(), 2);
        let svg = std::fs::read_to_string(&files[0]).unwrap();
        assert!(svg.contains("x (units)"));
    }
}
