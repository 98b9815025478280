//! Charts of the metrics pages, drawn at build time as inline SVG: no chart library, no
//! JavaScript, nothing fetched.
//!
//! Each chart function is pure: it takes the metrics structs ([`Slice`], [`LeaderboardRow`])
//! and returns a [`Chart`] — a title, an SVG (with `<title>`, `<desc>`, axis labels, a legend,
//! and a `<title>` tooltip on every bar and point) and the same numbers as an accessible HTML
//! table, so a screen reader, a text browser or someone copying the numbers gets them exactly.
//! [`Chart::html`] puts both in a `<figure>`; a template can also place `svg` and `table` itself.
//!
//! Every piece of text from the repository (team, service, factor names) is escaped. Colours are
//! written on the elements so the charts look right without any stylesheet, and every element has
//! a `pm-chart-*` class so a theme can restyle them; text and axes use `currentColor`, so the
//! charts follow the page's text colour (dark themes included).

use std::fmt::Write as _;

use crate::metrics::report::{maybe, number, percent};
use crate::metrics::stats::Summary;
use crate::metrics::{LeaderboardRow, Metrics, NONE, Slice};

/// Width of every chart's drawing, in SVG units (the SVG scales down to fit).
const WIDTH: f64 = 640.0;
/// Height of the column and line charts.
const HEIGHT: f64 = 300.0;
/// Space for the y-axis ticks and title.
const LEFT: f64 = 64.0;
/// Right margin.
const RIGHT: f64 = 16.0;
/// Space for the legend.
const TOP: f64 = 40.0;
/// Space for the x-axis ticks and title.
const BOTTOM: f64 = 52.0;
/// Height of one row of a bar chart.
const ROW: f64 = 26.0;

/// Colours of severities, most severe first (red to blue), chosen to stay apart for common
/// colour-vision deficiencies when paired with the order of the stack and the legend.
const SEVERITY_COLORS: &[&str] =
    &["#b91c1c", "#ea580c", "#ca8a04", "#2563eb", "#7c3aed", "#0d9488", "#be185d", "#4b5563"];
/// Colour of `(none)` and other "unknown" series.
const NONE_COLOR: &str = "#94a3b8";
/// Colour of the main series of single-series charts.
const PRIMARY: &str = "#2563eb";
/// Colour of a secondary series.
const SECONDARY: &str = "#dc2626";
/// Colour of "good" series (closed items).
const GOOD: &str = "#16a34a";

/// A chart: SVG plus its numbers as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// The id prefix of every element id in the chart (unique on a page).
    pub id: String,
    /// The title (shown as the figure caption and the SVG's `<title>`).
    pub title: String,
    /// One sentence on what is drawn and how it is measured.
    pub description: String,
    /// The `<svg>` element.
    pub svg: String,
    /// The `<table>` with the same numbers.
    pub table: String,
}

impl Chart {
    /// The chart and its table in one `<figure>`.
    pub fn html(&self) -> String {
        format!(
            "<figure class=\"pm-chart\" id=\"{id}\" aria-labelledby=\"{id}-caption\">\n\
             <figcaption id=\"{id}-caption\"><span class=\"pm-chart-title\">{title}</span> \
             <span class=\"pm-chart-description\">{desc}</span></figcaption>\n\
             <div class=\"pm-chart-body\">\n{svg}\n{table}\n</div>\n</figure>\n",
            id = self.id,
            title = esc(&self.title),
            desc = esc(&self.description),
            svg = self.svg,
            table = self.table,
        )
    }
}

/// Escapes text for HTML and SVG content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `id` reduced to `[a-z0-9-]`, so it is a safe element id.
fn clean_id(id: &str) -> String {
    let cleaned: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    if cleaned.is_empty() { "chart".to_owned() } else { cleaned }
}

/// The colour of the `index`th severity (of the configured order), grey for `(none)`.
pub fn severity_color(index: usize, name: &str) -> &'static str {
    if name == NONE {
        return NONE_COLOR;
    }
    SEVERITY_COLORS.get(index).copied().unwrap_or(NONE_COLOR)
}

/// A coordinate with one decimal.
fn c(v: f64) -> String {
    let text = format!("{v:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

/// A round axis: its top value and the step between ticks, at most about five ticks.
fn axis(max: f64, whole: bool) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 1.0);
    }
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let mut step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude);
    if whole {
        step = step.max(1.0).round();
    }
    ((max / step).ceil() * step, step)
}

/// One series of a column or line chart.
struct Series {
    name: String,
    color: &'static str,
    dashed: bool,
    values: Vec<Option<f64>>,
}

/// A column chart (stacked when there are several series) or a line chart.
struct Plot<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    x_title: &'a str,
    y_title: &'a str,
    categories: Vec<String>,
    series: Vec<Series>,
    /// Whether y values are counts (integer ticks).
    whole: bool,
    /// How a value reads in tooltips.
    format: fn(f64) -> String,
}

fn svg_open(out: &mut String, id: &str, title: &str, description: &str, height: f64) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pm-chart-svg\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" style=\"max-width:100%;height:auto\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"system-ui, -apple-system, \
         'Segoe UI', sans-serif\" font-size=\"11\" fill=\"currentColor\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>",
        w = c(WIDTH),
        h = c(height),
        title = esc(title),
        desc = esc(description),
    );
}

/// What a legend entry's swatch looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Swatch {
    /// A filled box (bars).
    Box,
    /// A solid line (line series).
    Line,
    /// A dashed line (dashed line series).
    Dashed,
}

/// The legend: one swatch and name per series, left to right above the plot.
fn legend(out: &mut String, entries: &[(&str, &'static str, Swatch)]) {
    out.push_str("<g class=\"pm-chart-legend\">");
    let mut x = LEFT;
    for (name, color, swatch) in entries {
        match swatch {
            Swatch::Box => {
                let _ = write!(
                    out,
                    "<rect x=\"{}\" y=\"10\" width=\"14\" height=\"10\" rx=\"2\" fill=\"{color}\"/>",
                    c(x)
                );
            }
            Swatch::Line | Swatch::Dashed => {
                let dash = if *swatch == Swatch::Dashed { " stroke-dasharray=\"4 3\"" } else { "" };
                let _ = write!(
                    out,
                    "<line x1=\"{}\" y1=\"15\" x2=\"{}\" y2=\"15\" stroke=\"{color}\" \
                     stroke-width=\"2.5\"{dash}/>",
                    c(x),
                    c(x + 14.0)
                );
            }
        }
        let _ = write!(out, "<text x=\"{}\" y=\"19\">{}</text>", c(x + 19.0), esc(name));
        x += 19.0 + 6.5 * name.chars().count() as f64 + 16.0;
    }
    out.push_str("</g>");
}

/// A message in the middle of an empty chart.
fn empty_note(out: &mut String, height: f64) {
    let _ = write!(
        out,
        "<text class=\"pm-chart-empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" \
         opacity=\"0.7\">No data for this selection</text>",
        c(WIDTH / 2.0),
        c(height / 2.0)
    );
}

impl Plot<'_> {
    /// Columns, stacked in series order (first series at the bottom).
    fn columns(&self) -> String {
        let totals: Vec<f64> = (0..self.categories.len())
            .map(|i| self.series.iter().filter_map(|s| s.values.get(i).copied().flatten()).sum())
            .collect();
        let max = totals.iter().copied().fold(0.0, f64::max);
        let mut out = String::new();
        svg_open(&mut out, self.id, self.title, self.description, HEIGHT);
        let entries: Vec<(&str, &str, Swatch)> =
            self.series.iter().map(|s| (s.name.as_str(), s.color, Swatch::Box)).collect();
        legend(&mut out, &entries);
        let (top, step) = axis(max, self.whole);
        self.frame(&mut out, top, step);
        if self.categories.is_empty() || max <= 0.0 {
            empty_note(&mut out, HEIGHT);
            out.push_str("</svg>");
            return out;
        }
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let band = plot_w / self.categories.len() as f64;
        let bar = (band * 0.72).max(1.0);
        out.push_str("<g class=\"pm-chart-bars\">");
        for (i, category) in self.categories.iter().enumerate() {
            let x = LEFT + band * i as f64 + (band - bar) / 2.0;
            let mut base = 0.0;
            for (k, s) in self.series.iter().enumerate() {
                let v = s.values.get(i).copied().flatten().unwrap_or(0.0);
                if v <= 0.0 {
                    continue;
                }
                let y0 = TOP + plot_h * (1.0 - (base + v) / top);
                let h = plot_h * v / top;
                let _ = write!(
                    out,
                    "<rect class=\"pm-chart-series-{k}\" x=\"{}\" y=\"{}\" width=\"{}\" \
                     height=\"{}\" fill=\"{}\"><title>{}: {} {}</title></rect>",
                    c(x),
                    c(y0),
                    c(bar),
                    c(h),
                    s.color,
                    esc(category),
                    (self.format)(v),
                    esc(&s.name),
                );
                base += v;
            }
        }
        out.push_str("</g></svg>");
        out
    }

    /// Lines with a dot on every value; a missing value breaks the line.
    fn lines(&self) -> String {
        let max =
            self.series.iter().flat_map(|s| s.values.iter().copied().flatten()).fold(0.0, f64::max);
        let mut out = String::new();
        svg_open(&mut out, self.id, self.title, self.description, HEIGHT);
        let entries: Vec<(&str, &str, Swatch)> = self
            .series
            .iter()
            .map(|s| {
                let swatch = if s.dashed { Swatch::Dashed } else { Swatch::Line };
                (s.name.as_str(), s.color, swatch)
            })
            .collect();
        legend(&mut out, &entries);
        let (top, step) = axis(max, self.whole);
        self.frame(&mut out, top, step);
        let any = self.series.iter().any(|s| s.values.iter().any(Option::is_some));
        if self.categories.is_empty() || !any {
            empty_note(&mut out, HEIGHT);
            out.push_str("</svg>");
            return out;
        }
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let band = plot_w / self.categories.len() as f64;
        let point = |i: usize, v: f64| {
            (LEFT + band * i as f64 + band / 2.0, TOP + plot_h * (1.0 - v / top))
        };
        for (k, s) in self.series.iter().enumerate() {
            let mut d = String::new();
            let mut pen_down = false;
            for (i, v) in s.values.iter().enumerate() {
                match v {
                    Some(v) => {
                        let (x, y) = point(i, *v);
                        let _ = write!(d, "{}{},{} ", if pen_down { "L" } else { "M" }, c(x), c(y));
                        pen_down = true;
                    }
                    None => pen_down = false,
                }
            }
            let dash = if s.dashed { " stroke-dasharray=\"6 4\"" } else { "" };
            let _ = write!(
                out,
                "<g class=\"pm-chart-series-{k}\"><path d=\"{}\" fill=\"none\" stroke=\"{}\" \
                 stroke-width=\"2.5\" stroke-linejoin=\"round\"{dash}/>",
                d.trim_end(),
                s.color
            );
            for (i, v) in s.values.iter().enumerate() {
                let Some(v) = v else { continue };
                let (x, y) = point(i, *v);
                let category = self.categories.get(i).map(String::as_str).unwrap_or_default();
                let _ = write!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}: {} {}</title></circle>",
                    c(x),
                    c(y),
                    s.color,
                    esc(category),
                    esc(&s.name),
                    (self.format)(*v),
                );
            }
            out.push_str("</g>");
        }
        out.push_str("</svg>");
        out
    }

    /// Grid lines, y ticks, x labels (thinned so they do not overlap) and both axis titles.
    fn frame(&self, out: &mut String, top: f64, step: f64) {
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        out.push_str("<g class=\"pm-chart-axes\">");
        let ticks = (top / step).round() as usize;
        for t in 0..=ticks {
            let v = step * t as f64;
            let y = TOP + plot_h * (1.0 - v / top);
            let _ = write!(
                out,
                "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"currentColor\" \
                 stroke-opacity=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                c(LEFT),
                c(WIDTH - RIGHT),
                if t == 0 { "0.6" } else { "0.12" },
                c(LEFT - 6.0),
                c(y + 4.0),
                number(v),
                y = c(y),
            );
        }
        let n = self.categories.len();
        if n > 0 {
            let band = plot_w / n as f64;
            // About 56 units per label ("2026-01" is ~45 wide at this size).
            let every = ((56.0 / band).ceil() as usize).max(1);
            for (i, label) in self.categories.iter().enumerate() {
                if i % every != 0 {
                    continue;
                }
                let x = LEFT + band * i as f64 + band / 2.0;
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    c(x),
                    c(HEIGHT - BOTTOM + 16.0),
                    esc(label)
                );
            }
        }
        let _ = write!(
            out,
            "<text class=\"pm-chart-axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" \
             font-weight=\"600\">{}</text>",
            c(LEFT + plot_w / 2.0),
            c(HEIGHT - 10.0),
            esc(self.x_title)
        );
        let _ = write!(
            out,
            "<text class=\"pm-chart-axis-title\" transform=\"translate(14 {}) rotate(-90)\" \
             text-anchor=\"middle\" font-weight=\"600\">{}</text>",
            c(TOP + plot_h / 2.0),
            esc(self.y_title)
        );
        out.push_str("</g>");
    }
}

/// One row of a horizontal bar chart.
struct Bar {
    label: String,
    value: Option<f64>,
    text: String,
}

/// Horizontal bars, one per row, labelled on the left with the value at the bar's end.
struct Bars<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    x_title: &'a str,
    rows: Vec<Bar>,
    color: &'static str,
    /// A fixed axis (top, step), e.g. 100% in steps of 25; else from the data.
    fixed: Option<(f64, f64)>,
}

impl Bars<'_> {
    fn svg(&self) -> String {
        let longest = self.rows.iter().map(|r| r.label.chars().count()).max().unwrap_or(0);
        let left = (12.0 + 6.5 * longest as f64).clamp(LEFT, 220.0);
        let height = 20.0 + ROW * self.rows.len().max(2) as f64 + 44.0;
        let plot_w = WIDTH - left - RIGHT - 64.0;
        let plot_top = 16.0;
        let plot_bottom = height - 44.0;
        let max = self.rows.iter().filter_map(|r| r.value).fold(0.0, f64::max);
        let (top, step) = self.fixed.unwrap_or_else(|| axis(max, true));
        let mut out = String::new();
        svg_open(&mut out, self.id, self.title, self.description, height);
        out.push_str("<g class=\"pm-chart-axes\">");
        let ticks = (top / step).round() as usize;
        for t in 0..=ticks {
            let v = step * t as f64;
            let x = left + plot_w * v / top;
            let _ = write!(
                out,
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"currentColor\" \
                 stroke-opacity=\"{}\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                c(plot_top),
                c(plot_bottom),
                if t == 0 { "0.6" } else { "0.12" },
                c(plot_bottom + 16.0),
                number(v),
                x = c(x),
            );
        }
        let _ = write!(
            out,
            "<text class=\"pm-chart-axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" \
             font-weight=\"600\">{}</text></g>",
            c(left + plot_w / 2.0),
            c(height - 8.0),
            esc(self.x_title)
        );
        if self.rows.is_empty() {
            empty_note(&mut out, height);
            out.push_str("</svg>");
            return out;
        }
        out.push_str("<g class=\"pm-chart-bars\">");
        for (i, row) in self.rows.iter().enumerate() {
            let y = plot_top + 4.0 + ROW * i as f64;
            let w = row.value.map_or(0.0, |v| plot_w * v.max(0.0) / top);
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                c(left - 8.0),
                c(y + 13.0),
                esc(&row.label)
            );
            if w > 0.0 {
                let _ = write!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"18\" rx=\"2\" fill=\"{}\">\
                     <title>{}: {}</title></rect>",
                    c(left),
                    c(y),
                    c(w),
                    self.color,
                    esc(&row.label),
                    esc(&row.text)
                );
            }
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                c(left + w + 6.0),
                c(y + 13.0),
                esc(&row.text)
            );
        }
        out.push_str("</g></svg>");
        out
    }
}

/// An HTML table: a caption, a header row, then rows whose first cell is a row header.
fn table(caption: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table class=\"pm-chart-table\">");
    let _ = write!(out, "<caption>{}</caption><thead><tr>", esc(caption));
    for h in header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    if rows.is_empty() {
        let _ = write!(
            out,
            "<tr><td colspan=\"{}\">No data for this selection</td></tr>",
            header.len().max(1)
        );
    }
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{}</th>", esc(cell));
            } else {
                let _ = write!(out, "<td>{}</td>", esc(cell));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn count(v: f64) -> String {
    number(v)
}

/// Incidents per month of `started_at`, stacked by severity (in `severities` order, the most
/// severe at the bottom).
pub fn incidents_by_month(id: &str, slice: &Slice, severities: &[String]) -> Chart {
    let id = clean_id(id);
    let title = "Incidents per month, by severity";
    let description = "Incidents counted in the month their started_at falls in (in the \
                       configured timezone), stacked by severity.";
    let categories: Vec<String> = slice.by_month.keys().cloned().collect();
    let series: Vec<Series> = severities
        .iter()
        .enumerate()
        .map(|(k, sev)| Series {
            name: sev.clone(),
            color: severity_color(k, sev),
            dashed: false,
            values: categories
                .iter()
                .map(|m| {
                    let n = slice.by_month_severity.get(m).and_then(|r| r.get(sev)).copied();
                    Some(n.unwrap_or(0) as f64)
                })
                .collect(),
        })
        .collect();
    let svg = Plot {
        id: &id,
        title,
        description,
        x_title: "Month (started_at)",
        y_title: "Incidents",
        categories: categories.clone(),
        series,
        whole: true,
        format: count,
    }
    .columns();
    let mut header = vec!["Month"];
    header.extend(severities.iter().map(String::as_str));
    header.push("Total");
    let rows: Vec<Vec<String>> = categories
        .iter()
        .map(|m| {
            let per = slice.by_month_severity.get(m);
            let mut row = vec![m.clone()];
            row.extend(
                severities
                    .iter()
                    .map(|s| per.and_then(|p| p.get(s)).copied().unwrap_or(0).to_string()),
            );
            row.push(slice.by_month.get(m).copied().unwrap_or(0).to_string());
            row
        })
        .collect();
    let table = table(title, &header, &rows);
    Chart { id, title: title.to_owned(), description: description.to_owned(), svg, table }
}

/// Median and p90 time to resolve (`resolved_at − started_at`) per quarter, in hours when the
/// longest value is three hours or more, else minutes.
pub fn time_to_resolve_by_quarter(id: &str, slice: &Slice) -> Chart {
    let id = clean_id(id);
    let title = "Time to resolve per quarter";
    let by_quarter = &slice.durations_minutes.resolve.by_quarter;
    let longest = by_quarter.values().filter_map(|s| s.p90).fold(0.0, f64::max);
    let (unit, divisor) = if longest >= 180.0 { ("hours", 60.0) } else { ("minutes", 1.0) };
    let description = format!(
        "Median and 90th percentile (nearest rank) of resolved_at − started_at, in {unit}, for \
         incidents that started in each quarter."
    );
    let categories: Vec<String> = by_quarter.keys().cloned().collect();
    let pick = |f: fn(&Summary) -> Option<f64>| -> Vec<Option<f64>> {
        by_quarter.values().map(|s| f(s).map(|v| v / divisor)).collect()
    };
    let series = vec![
        Series { name: "median".into(), color: PRIMARY, dashed: false, values: pick(|s| s.median) },
        Series { name: "p90".into(), color: SECONDARY, dashed: true, values: pick(|s| s.p90) },
    ];
    let y_title = format!("{}{}", unit[..1].to_uppercase(), &unit[1..]);
    let svg = Plot {
        id: &id,
        title,
        description: &description,
        x_title: "Quarter (started_at)",
        y_title: &y_title,
        categories,
        series,
        whole: false,
        format: number,
    }
    .lines();
    let median_header = format!("Median ({unit})");
    let p90_header = format!("p90 ({unit})");
    let rows: Vec<Vec<String>> = by_quarter
        .iter()
        .map(|(q, s)| {
            vec![
                q.clone(),
                s.count.to_string(),
                maybe(s.median.map(|v| v / divisor)),
                maybe(s.p90.map(|v| v / divisor)),
            ]
        })
        .collect();
    let table =
        table(title, &["Quarter", "Incidents resolved", &median_header, &p90_header], &rows);
    Chart { id, title: title.to_owned(), description, svg, table }
}

/// Action items open at each month's end against items closed so far.
pub fn action_items_over_time(id: &str, slice: &Slice) -> Chart {
    let id = clean_id(id);
    let title = "Action items open and closed over time";
    let description = "Items still open at the end of each month, and items closed (done or \
                       won't do) so far. An item counts from its incident's resolution date.";
    let by_month = &slice.action_items.by_month;
    let categories: Vec<String> = by_month.keys().cloned().collect();
    let mut closed_so_far = 0usize;
    let cumulative: Vec<usize> = by_month
        .values()
        .map(|m| {
            closed_so_far += m.closed;
            closed_so_far
        })
        .collect();
    let series = vec![
        Series {
            name: "open at month end".into(),
            color: SECONDARY,
            dashed: false,
            values: by_month.values().map(|m| Some(m.open_at_end as f64)).collect(),
        },
        Series {
            name: "closed so far".into(),
            color: GOOD,
            dashed: true,
            values: cumulative.iter().map(|n| Some(*n as f64)).collect(),
        },
    ];
    let svg = Plot {
        id: &id,
        title,
        description,
        x_title: "Month",
        y_title: "Action items",
        categories,
        series,
        whole: true,
        format: count,
    }
    .lines();
    let rows: Vec<Vec<String>> = by_month
        .iter()
        .zip(&cumulative)
        .map(|((m, row), closed)| {
            vec![
                m.clone(),
                row.opened.to_string(),
                row.closed.to_string(),
                closed.to_string(),
                row.open_at_end.to_string(),
            ]
        })
        .collect();
    let table =
        table(title, &["Month", "Opened", "Closed", "Closed so far", "Open at month end"], &rows);
    Chart { id, title: title.to_owned(), description: description.to_owned(), svg, table }
}

/// The team leaderboard: share of postmortems published by their due date, best first.
pub fn timeliness_leaderboard(id: &str, rows: &[LeaderboardRow]) -> Chart {
    let id = clean_id(id);
    let title = "Postmortems published on time, by team";
    let description = "Share of each team's postmortems published on or before their due date; \
                       unpublished postmortems past their due date count as late, those not yet \
                       due are not counted.";
    let bars: Vec<Bar> = rows
        .iter()
        .map(|r| Bar {
            label: r.team.clone(),
            value: r.on_time_rate.map(|v| v * 100.0),
            text: match r.on_time_rate {
                Some(v) => {
                    format!("{} ({} of {})", percent(Some(v)), r.on_time, r.on_time + r.late)
                }
                None => "— (none due yet)".to_owned(),
            },
        })
        .collect();
    let svg = Bars {
        id: &id,
        title,
        description,
        x_title: "Published on time (%)",
        rows: bars,
        color: PRIMARY,
        fixed: Some((100.0, 25.0)),
    }
    .svg();
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.team.clone(),
                r.rank.map_or_else(|| "—".to_owned(), |n| n.to_string()),
                r.on_time.to_string(),
                r.late.to_string(),
                percent(r.on_time_rate),
                r.overdue.to_string(),
                maybe(r.median_days_to_publish),
            ]
        })
        .collect();
    let table = table(
        title,
        &[
            "Team",
            "Rank",
            "On time",
            "Late",
            "On-time rate",
            "Overdue now",
            "Median days to publish",
        ],
        &table_rows,
    );
    Chart { id, title: title.to_owned(), description: description.to_owned(), svg, table }
}

/// Counts as bars, largest first (ties by name), at most `limit` rows, zero rows left out.
fn count_bars(
    map: &std::collections::BTreeMap<String, usize>,
    limit: usize,
) -> Vec<(String, usize)> {
    let mut rows: Vec<(String, usize)> =
        map.iter().filter(|(_, n)| **n > 0).map(|(k, n)| (k.clone(), *n)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(limit);
    rows
}

fn count_chart(
    id: &str,
    title: &str,
    description: &str,
    label: &str,
    rows: Vec<(String, usize)>,
    color: &'static str,
) -> Chart {
    let id = clean_id(id);
    let bars = rows
        .iter()
        .map(|(k, n)| Bar { label: k.clone(), value: Some(*n as f64), text: n.to_string() })
        .collect();
    let svg =
        Bars { id: &id, title, description, x_title: "Incidents", rows: bars, color, fixed: None }
            .svg();
    let table_rows: Vec<Vec<String>> =
        rows.iter().map(|(k, n)| vec![k.clone(), n.to_string()]).collect();
    let table = table(title, &[label, "Incidents"], &table_rows);
    Chart { id, title: title.to_owned(), description: description.to_owned(), svg, table }
}

/// The contributing factors named by the most incidents (at most `limit`).
pub fn top_contributing_factors(id: &str, slice: &Slice, limit: usize) -> Chart {
    count_chart(
        id,
        "Top contributing factors",
        "Incidents that name each contributing factor (an incident counts once under each \
         factor it names).",
        "Contributing factor",
        count_bars(&slice.by_contributing_factor, limit),
        "#7c3aed",
    )
}

/// Incidents per detection source.
pub fn detection_sources(id: &str, slice: &Slice) -> Chart {
    count_chart(
        id,
        "How incidents were detected",
        "Incidents per detection source: alert, customer, employee, automation or other.",
        "Detection",
        count_bars(&slice.by_detection, usize::MAX),
        "#0d9488",
    )
}

/// The charts of a team or service page (or of the overview, without the leaderboard), with
/// element ids starting with `prefix`.
pub fn slice_charts(prefix: &str, slice: &Slice, severities: &[String]) -> Vec<Chart> {
    vec![
        incidents_by_month(&format!("{prefix}-incidents-by-month"), slice, severities),
        time_to_resolve_by_quarter(&format!("{prefix}-time-to-resolve"), slice),
        action_items_over_time(&format!("{prefix}-action-items"), slice),
        top_contributing_factors(&format!("{prefix}-factors"), slice, 10),
        detection_sources(&format!("{prefix}-detection"), slice),
    ]
}

/// Every chart of the metrics overview page, in page order (the leaderboard only when the
/// repository ranks teams).
pub fn overview(metrics: &Metrics) -> Vec<Chart> {
    let mut charts = slice_charts("metrics", &metrics.overall, &metrics.severities);
    if let Some(leaderboard) = &metrics.leaderboard {
        charts.insert(3, timeliness_leaderboard("metrics-leaderboard", leaderboard));
    }
    charts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::stats::Summary;
    use crate::metrics::{ItemsInMonth, Slice};

    fn slice() -> Slice {
        let mut s = Slice::default();
        for (m, sev1, sev2) in [("2026-01", 1, 2), ("2026-02", 0, 0), ("2026-03", 3, 1)] {
            s.by_month.insert(m.into(), sev1 + sev2);
            s.by_month_severity
                .insert(m.into(), [("SEV1".into(), sev1), ("SEV2".into(), sev2)].into());
        }
        s.durations_minutes
            .resolve
            .by_quarter
            .insert("2026-Q1".into(), Summary { count: 4, median: Some(150.0), p90: Some(240.0) });
        s.durations_minutes.resolve.by_quarter.insert("2026-Q2".into(), Summary::default());
        s.by_contributing_factor.insert("config-change".into(), 4);
        s.by_contributing_factor.insert("<script>".into(), 1);
        s.by_detection.insert("alert".into(), 3);
        s.by_detection.insert("other".into(), 0);
        s.action_items
            .by_month
            .insert("2026-01".into(), ItemsInMonth { opened: 3, closed: 1, open_at_end: 2 });
        s.action_items
            .by_month
            .insert("2026-02".into(), ItemsInMonth { opened: 0, closed: 2, open_at_end: 0 });
        s
    }

    fn severities() -> Vec<String> {
        vec!["SEV1".into(), "SEV2".into()]
    }

    #[test]
    fn stacked_columns_have_title_axes_legend_and_proportional_bars() {
        let chart = incidents_by_month("Team Pay", &slice(), &severities());
        assert_eq!(chart.id, "team-pay");
        let svg = &chart.svg;
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(
            svg.contains("<title id=\"team-pay-title\">Incidents per month, by severity</title>")
        );
        assert!(svg.contains(">Month (started_at)</text>"));
        assert!(svg.contains(">Incidents</text>"));
        // Legend: a swatch and a name per severity.
        assert!(svg.contains("fill=\"#b91c1c\"/><text x=\"83\" y=\"19\">SEV1</text>"));
        assert!(svg.contains(">SEV2</text>"));
        // Max stack 4 → axis 0..4 step 1; plot height 208: one incident is 52 units tall.
        assert!(svg.contains(">4</text>"));
        assert!(svg.contains("height=\"156\" fill=\"#b91c1c\"><title>2026-03: 3 SEV1</title>"));
        assert!(svg.contains("height=\"52\" fill=\"#ea580c\"><title>2026-03: 1 SEV2</title>"));
        // An empty month draws no bar.
        assert!(!svg.contains("<title>2026-02"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn tables_carry_the_same_numbers() {
        let chart = incidents_by_month("m", &slice(), &severities());
        assert!(chart.table.contains("<caption>Incidents per month, by severity</caption>"));
        assert!(
            chart
                .table
                .contains("<tr><th scope=\"row\">2026-03</th><td>3</td><td>1</td><td>4</td></tr>")
        );
        assert!(
            chart
                .table
                .contains("<tr><th scope=\"row\">2026-02</th><td>0</td><td>0</td><td>0</td></tr>")
        );
        let html = chart.html();
        assert!(
            html.starts_with("<figure class=\"pm-chart\" id=\"m\" aria-labelledby=\"m-caption\">")
        );
        assert!(html.contains(&chart.svg) && html.contains(&chart.table));
    }

    #[test]
    fn lines_break_at_missing_values_and_pick_a_unit() {
        let chart = time_to_resolve_by_quarter("q", &slice());
        // p90 240 minutes ≥ 180: hours.
        assert!(chart.svg.contains(">Hours</text>"));
        assert!(chart.table.contains("<td>2.5</td><td>4</td>"));
        assert!(
            chart.table.contains("<th scope=\"row\">2026-Q2</th><td>0</td><td>—</td><td>—</td>")
        );
        // One point per series (Q2 has none), so each path is a single move.
        assert_eq!(chart.svg.matches("<circle").count(), 2);
        assert!(chart.svg.contains("stroke-dasharray=\"6 4\""));
        // The legend shows lines, the p90 one dashed.
        assert!(chart.svg.contains(
            "<line x1=\"64\" y1=\"15\" x2=\"78\" y2=\"15\" stroke=\"#2563eb\" stroke-width=\"2.5\"/>"
        ));
        assert!(
            chart
                .svg
                .contains("stroke=\"#dc2626\" stroke-width=\"2.5\" stroke-dasharray=\"4 3\"/>")
        );
        assert!(chart.svg.contains("<title>2026-Q1: median 2.5</title>"));
    }

    #[test]
    fn action_items_over_time_accumulates_closed() {
        let chart = action_items_over_time("a", &slice());
        assert!(
            chart
                .table
                .contains("<th scope=\"row\">2026-02</th><td>0</td><td>2</td><td>3</td><td>0</td>")
        );
        assert!(chart.svg.contains("<title>2026-02: closed so far 3</title>"));
    }

    #[test]
    fn bars_escape_names_and_skip_zero_rows() {
        let chart = top_contributing_factors("f", &slice(), 10);
        assert!(chart.svg.contains("&lt;script&gt;"));
        assert!(!chart.svg.contains("<script>"));
        assert!(chart.table.contains("<th scope=\"row\">&lt;script&gt;</th><td>1</td>"));
        // Largest first.
        let first = chart.table.find("config-change").unwrap_or(usize::MAX);
        let second = chart.table.find("&lt;script&gt;").unwrap_or(0);
        assert!(first < second);
        let detection = detection_sources("d", &slice());
        assert!(!detection.table.contains("other"));
    }

    #[test]
    fn leaderboard_bars_are_percentages() {
        let rows = vec![
            LeaderboardRow {
                rank: Some(1),
                team: "search".into(),
                name: None,
                postmortems: 1,
                published: 1,
                on_time: 1,
                late: 0,
                on_time_rate: Some(1.0),
                overdue: 0,
                median_days_to_publish: Some(14.0),
                action_item_completion_rate: Some(1.0),
            },
            LeaderboardRow {
                rank: None,
                team: "mobile".into(),
                name: None,
                postmortems: 0,
                published: 0,
                on_time: 0,
                late: 0,
                on_time_rate: None,
                overdue: 0,
                median_days_to_publish: None,
                action_item_completion_rate: None,
            },
        ];
        let chart = timeliness_leaderboard("l", &rows);
        assert!(chart.svg.contains("<title>search: 100% (1 of 1)</title>"));
        assert!(chart.svg.contains(">— (none due yet)</text>"));
        assert!(chart.svg.contains(">Published on time (%)</text>"));
        assert!(chart.table.contains("<th scope=\"row\">mobile</th><td>—</td>"));
    }

    #[test]
    fn empty_charts_say_so() {
        let empty = Slice::default();
        for chart in slice_charts("e", &empty, &severities()) {
            assert!(chart.svg.contains("No data for this selection"), "{}", chart.title);
            assert!(chart.table.contains("No data for this selection"), "{}", chart.title);
        }
    }

    #[test]
    fn axes_are_round() {
        assert_eq!(axis(3.0, true), (3.0, 1.0));
        assert_eq!(axis(5.0, true), (6.0, 2.0));
        assert_eq!(axis(300.0, false), (300.0, 100.0));
        assert_eq!(axis(301.0, false), (400.0, 100.0));
        assert_eq!(axis(4.0, false), (4.0, 1.0));
        assert_eq!(axis(0.0, true), (1.0, 1.0));
        assert_eq!(axis(0.3, true), (1.0, 1.0));
    }

    #[test]
    fn ids_are_safe() {
        assert_eq!(clean_id("Team \"x\"/<y>"), "team--x---y-");
        assert_eq!(clean_id(""), "chart");
    }
}
