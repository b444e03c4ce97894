//! The HTML report of a simulation: one self-contained file (inline CSS and SVG, no
//! scripts, no external assets) with the KPI tables and three charts drawn by hand:
//! service level per interval, calls waiting over the day and occupancy per agent group.

use crate::simulate::{Analysis, Line, RunInfo, sl_ci};
use crate::text::pct;
use callroute::Millis;
use callroute::sim::{Estimate, Scenario};
use std::fmt::Write as _;

const PALETTE: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
];
const CENTER_COLOR: &str = "#333333";

/// Escapes text for HTML and SVG.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `HH:MM` of a host time (UTC when the scenario has a start, else from 00:00).
fn hhmm(ms: Millis) -> String {
    let minutes = (ms / 60_000) % 1440;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn color(i: usize, l: &Line) -> &'static str {
    if l.name == "center" && l.color.is_none() {
        CENTER_COLOR
    } else {
        PALETTE[l.color.unwrap_or(i) % PALETTE.len()]
    }
}

/// How values are shown on the y axis.
#[derive(Clone, Copy, PartialEq, Eq)]
enum YFormat {
    Percent,
    Count,
}

struct Chart<'a> {
    id: &'a str,
    title: &'a str,
    y_label: &'a str,
    /// x of each point, host ms.
    xs: Vec<f64>,
    x_min: f64,
    x_max: f64,
    lines: &'a [Line],
    y: YFormat,
    /// Points get hover titles and markers.
    markers: bool,
    /// Shade the confidence band.
    bands: bool,
}

/// A "nice" step for about `ticks` ticks over `range`.
fn nice_step(range: f64, ticks: f64) -> f64 {
    if !(range.is_finite() && range > 0.0) {
        return 1.0;
    }
    let raw = range / ticks;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    (nice * mag).max(1.0)
}

fn svg_chart(c: &Chart<'_>) -> String {
    const W: f64 = 900.0;
    const H: f64 = 300.0;
    const L: f64 = 58.0;
    const R: f64 = 18.0;
    const T: f64 = 14.0;
    const B: f64 = 42.0;
    let plot_w = W - L - R;
    let plot_h = H - T - B;

    let data_max = c
        .lines
        .iter()
        .flat_map(|l| l.mean.iter().chain(&l.high).flatten().copied().chain(l.target))
        .fold(0.0_f64, f64::max);
    let (y_max, y_step) = match c.y {
        YFormat::Percent => (1.0, 0.2),
        YFormat::Count => {
            let step = nice_step(data_max.max(1.0), 5.0);
            (((data_max / step).ceil() * step).max(step), step)
        }
    };
    let span = (c.x_max - c.x_min).max(1.0);
    let px = |x: f64| L + (x - c.x_min) / span * plot_w;
    let py = |y: f64| T + plot_h - (y.clamp(0.0, y_max) / y_max) * plot_h;
    let fmt_y = |y: f64| match c.y {
        YFormat::Percent => format!("{:.0}%", y * 100.0),
        YFormat::Count => {
            if y.fract() == 0.0 {
                format!("{y:.0}")
            } else {
                format!("{y:.1}")
            }
        }
    };
    let fmt_val = |y: f64| match c.y {
        YFormat::Percent => pct(y),
        YFormat::Count => format!("{y:.1}"),
    };

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="{id}" class="chart" viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{title}" xmlns="http://www.w3.org/2000/svg">"#,
        id = esc(c.id),
        title = esc(c.title)
    );
    let _ = write!(
        s,
        r##"<rect x="{L}" y="{T}" width="{plot_w}" height="{plot_h}" fill="#fcfcfd" stroke="#d0d4da"/>"##
    );
    // Horizontal grid and y labels.
    let mut y = 0.0;
    while y <= y_max + 1e-9 {
        let yy = py(y);
        let _ = write!(
            s,
            r##"<line x1="{L}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e3e6ea"/><text x="{tx}" y="{ty:.1}" text-anchor="end" class="tick">{label}</text>"##,
            x2 = L + plot_w,
            tx = L - 6.0,
            ty = yy + 4.0,
            label = esc(&fmt_y(y))
        );
        y += y_step;
    }
    // Vertical grid on whole hours (every 2 h or more on long runs).
    let hours = span / 3_600_000.0;
    let every_h = if hours <= 12.0 {
        1.0
    } else if hours <= 24.0 {
        2.0
    } else {
        (hours / 12.0).ceil()
    };
    let step_ms = every_h * 3_600_000.0;
    let mut x = (c.x_min / step_ms).ceil() * step_ms;
    while x <= c.x_max + 1e-6 {
        let xx = px(x);
        let _ = write!(
            s,
            r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{T}" y2="{y2}" stroke="#e3e6ea"/><text x="{xx:.1}" y="{ty}" text-anchor="middle" class="tick">{label}</text>"##,
            y2 = T + plot_h,
            ty = T + plot_h + 16.0,
            label = hhmm(x as Millis)
        );
        x += step_ms;
    }
    let _ = write!(
        s,
        r#"<text x="{x}" y="{y}" text-anchor="middle" class="axis">time of day</text>"#,
        x = L + plot_w / 2.0,
        y = H - 6.0
    );
    let _ = write!(
        s,
        r#"<text transform="translate(14 {y}) rotate(-90)" text-anchor="middle" class="axis">{label}</text>"#,
        y = T + plot_h / 2.0,
        label = esc(c.y_label)
    );

    for (i, l) in c.lines.iter().enumerate() {
        let col = color(i, l);
        // Confidence band, per run of points that have bounds.
        if c.bands {
            let mut run: Vec<(f64, f64, f64)> = Vec::new();
            let flush = |run: &mut Vec<(f64, f64, f64)>, s: &mut String| {
                if run.len() >= 2 {
                    let mut pts = String::new();
                    for (x, _, hi) in run.iter() {
                        let _ = write!(pts, "{:.1},{:.1} ", px(*x), py(*hi));
                    }
                    for (x, lo, _) in run.iter().rev() {
                        let _ = write!(pts, "{:.1},{:.1} ", px(*x), py(*lo));
                    }
                    let _ = write!(
                        s,
                        r#"<polygon points="{}" fill="{col}" fill-opacity="0.12" stroke="none"/>"#,
                        pts.trim_end()
                    );
                }
                run.clear();
            };
            for (k, x) in c.xs.iter().enumerate() {
                match (l.low.get(k).copied().flatten(), l.high.get(k).copied().flatten()) {
                    (Some(lo), Some(hi)) => run.push((*x, lo, hi)),
                    _ => flush(&mut run, &mut s),
                }
            }
            flush(&mut run, &mut s);
        }
        // Target.
        if let Some(t) = l.target {
            let yy = py(t);
            let _ = write!(
                s,
                r#"<line x1="{L}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}" stroke="{col}" stroke-dasharray="6 4" stroke-width="1.2" opacity="0.8"><title>{title}</title></line>"#,
                x2 = L + plot_w,
                title = esc(&format!("{} target {}", l.name, pct(t)))
            );
        }
        // The line itself; gaps where there is no data.
        let mut d = String::new();
        let mut pen_down = false;
        for (k, x) in c.xs.iter().enumerate() {
            match l.mean.get(k).copied().flatten() {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        px(*x),
                        py(v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let width = if l.name == "center" { 2.6 } else { 1.8 };
        let _ = write!(
            s,
            r#"<path d="{}" fill="none" stroke="{col}" stroke-width="{width}" stroke-linejoin="round"><title>{}</title></path>"#,
            d.trim_end(),
            esc(&l.name)
        );
        if c.markers {
            for (k, x) in c.xs.iter().enumerate() {
                let Some(v) = l.mean.get(k).copied().flatten() else {
                    continue;
                };
                let ci = match (l.low.get(k).copied().flatten(), l.high.get(k).copied().flatten()) {
                    (Some(lo), Some(hi)) => format!(" [{}, {}]", fmt_val(lo), fmt_val(hi)),
                    _ => String::new(),
                };
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="2.6" fill="{col}"><title>{}</title></circle>"#,
                    px(*x),
                    py(v),
                    esc(&format!("{} {}: {}{ci}", l.name, hhmm(*x as Millis), fmt_val(v)))
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

fn legend(lines: &[Line]) -> String {
    let mut s = String::from(r#"<div class="legend">"#);
    for (i, l) in lines.iter().enumerate() {
        let _ = write!(
            s,
            r#"<span><i style="background:{}"></i>{}</span>"#,
            color(i, l),
            esc(&l.name)
        );
    }
    if lines.iter().any(|l| l.target.is_some()) {
        s.push_str(r#"<span><i class="dash"></i>target</span>"#);
    }
    s.push_str("</div>");
    s
}

fn num(e: &Estimate) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        "-".into()
    } else {
        format!("{:.1}", e.mean)
    }
}

fn secs(e: &Estimate) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        "-".into()
    } else {
        format!("{:.1} s", e.mean)
    }
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 0; background: #f4f5f7; color: #1d2330; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 22px 0 8px; }
section > h2:first-child { margin-top: 0; }
p.meta { color: #5a6270; margin: 0 0 16px; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 14px 16px; margin-top: 16px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 7px; border-bottom: 1px solid #eceef1; text-align: right; white-space: nowrap; }
th { font-weight: 600; color: #4a5160; background: #f8f9fb; }
td:first-child, th:first-child { text-align: left; }
tr.total td { font-weight: 600; border-top: 2px solid #c9ced6; }
.ci { display: block; color: #6b7280; font-size: 12px; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 4px 0 6px; font-size: 13px; }
.legend i { display: inline-block; width: 14px; height: 3px; margin-right: 6px; vertical-align: middle; }
.legend i.dash { background: repeating-linear-gradient(90deg, #777 0 5px, transparent 5px 9px); }
svg.chart { display: block; }
svg .tick { font-size: 11px; fill: #5a6270; }
svg .axis { font-size: 12px; fill: #3b4250; }
.note { color: #5a6270; font-size: 13px; }
footer { color: #8a909a; font-size: 12px; margin-top: 24px; }
"#;

/// The whole report.
pub fn html(info: &RunInfo, s: &Scenario, a: &Analysis) -> String {
    let mut h = String::new();
    let title = format!("Simulation of {}", info.scenario);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    let start = info
        .start
        .as_deref()
        .map_or(String::new(), |t| format!("from {} ", esc(t)));
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} replication{} of {} h of arrivals {start}(seed {}{}), {:.0} calls per replication, \
         {} calls in all; simulated in {:.2} s on {} thread{} ({:.0} calls per second).</p>",
        info.replications,
        if info.replications == 1 { "" } else { "s" },
        info.hours,
        info.seed,
        if info.replications > 1 {
            format!("–{}", info.seed + u64::from(info.replications) - 1)
        } else {
            String::new()
        },
        info.calls as f64 / f64::from(info.replications.max(1)),
        info.calls,
        info.wall_secs,
        info.jobs,
        if info.jobs == 1 { "" } else { "s" },
        info.calls_per_sec
    );

    // KPI table.
    h.push_str("<section>\n<h2>Key figures</h2>\n<table>\n<thead><tr><th>queue</th><th>offered</th><th>answered</th><th>abandoned</th><th>service level [95% CI]</th><th>target</th><th>ASA</th><th>AHT</th><th>occupancy</th></tr></thead>\n<tbody>\n");
    for q in &a.queues {
        let name = if q.name.is_empty() {
            format!("{}", q.queue)
        } else {
            format!("{} {}", q.queue, q.name)
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}% in {} s</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&name),
            num(&q.offered),
            num(&q.answered),
            num(&q.abandoned),
            ci_html(&q.service_level),
            q.target.percent,
            q.target.within_secs,
            secs(&q.asa_secs),
            secs(&q.aht_secs),
            q.occupancy.as_ref().map_or("-".into(), ci_html)
        );
    }
    let c = &a.center;
    let _ = writeln!(
        h,
        "<tr class=\"total\"><td>center</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td></td><td>{}</td><td>{}</td><td>{}</td></tr>",
        num(&c.offered),
        num(&c.answered),
        num(&c.abandoned),
        ci_html(&c.service_level),
        secs(&c.asa_secs),
        secs(&c.aht_secs),
        ci_html(&c.occupancy)
    );
    h.push_str("</tbody>\n</table>\n");
    h.push_str("<h2>Agent groups</h2>\n<table>\n<thead><tr><th>group</th><th>agents</th><th>occupancy [95% CI]</th></tr></thead>\n<tbody>\n");
    for g in &a.groups {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&g.group),
            g.agents,
            ci_html(&g.occupancy)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    h.push_str(
        "<p class=\"note\">Counts are means per replication over the hours of arrivals (after any warm-up). \
         Service level: answered within the queue's threshold under the queue's formula (by default \
         answered within / (answered + abandoned − short abandons)); the center row uses the default \
         formula. Queue occupancy is that of the agent groups whose first queue it is. Intervals are \
         95% Student-t confidence intervals across replications.</p>\n</section>\n",
    );

    let start_ms = a.interval_starts.first().copied().unwrap_or(0) as f64;
    let interval_len = match a.interval_starts.as_slice() {
        [a, b, ..] => (*b - *a) as f64,
        _ => 900_000.0,
    };
    let day_start = a.sample_times.first().copied().map_or(start_ms, |t| t as f64);
    let day_end = a
        .sample_times
        .last()
        .copied()
        .map_or(start_ms + interval_len, |t| t as f64);
    let mids: Vec<f64> = a
        .interval_starts
        .iter()
        .map(|t| *t as f64 + interval_len / 2.0)
        .collect();

    h.push_str("<section>\n<h2>Service level per interval</h2>\n");
    h.push_str(&legend(&a.sl_lines));
    h.push_str(&svg_chart(&Chart {
        id: "service-level",
        title: "Service level per interval",
        y_label: "service level",
        xs: mids.clone(),
        x_min: day_start,
        x_max: day_end,
        lines: &a.sl_lines,
        y: YFormat::Percent,
        markers: true,
        bands: true,
    }));
    h.push_str("<p class=\"note\">Mean per interval across replications, by the interval in which calls joined the queue; shaded: 95% confidence band; dashed: each queue's target.</p>\n</section>\n");

    h.push_str("<section>\n<h2>Calls waiting over the day</h2>\n");
    h.push_str(&legend(&a.queue_length_lines));
    let sample_xs: Vec<f64> = a.sample_times.iter().map(|t| *t as f64).collect();
    h.push_str(&svg_chart(&Chart {
        id: "queue-length",
        title: "Calls waiting per queue",
        y_label: "calls waiting",
        xs: sample_xs,
        x_min: day_start,
        x_max: day_end,
        lines: &a.queue_length_lines,
        y: YFormat::Count,
        markers: false,
        bands: false,
    }));
    h.push_str("<p class=\"note\">Calls waiting in each queue, sampled every minute, mean across replications.</p>\n</section>\n");

    h.push_str("<section>\n<h2>Occupancy per agent group</h2>\n");
    h.push_str(&legend(&a.occupancy_lines));
    h.push_str(&svg_chart(&Chart {
        id: "occupancy",
        title: "Occupancy per agent group and interval",
        y_label: "occupancy",
        xs: mids,
        x_min: day_start,
        x_max: day_end,
        lines: &a.occupancy_lines,
        y: YFormat::Percent,
        markers: true,
        bands: false,
    }));
    h.push_str("<p class=\"note\">Occupancy = (talk + hold + wrap-up + ringing) / (that + ready time) of the group's agents, per interval, mean across replications.</p>\n</section>\n");

    // Scenario facts.
    h.push_str("<section>\n<h2>Scenario</h2>\n<table>\n<tbody>\n");
    let rates = &s.arrivals.calls_per_hour;
    let peak = rates.iter().copied().fold(0.0_f64, f64::max);
    let rows: Vec<(&str, String)> = vec![
        ("file", esc(&info.scenario)),
        ("hours of arrivals", format!("{}", s.hours)),
        (
            "arrival profile",
            format!(
                "{} rates of {} min, peak {:.0} calls per hour",
                rates.len(),
                s.arrivals.interval_minutes,
                peak
            ),
        ),
        (
            "traffic",
            s.traffic
                .iter()
                .map(|t| format!("{} ({})", esc(&t.name), t.share))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("shifts", s.shifts.len().to_string()),
        ("warm-up hours", format!("{}", s.warm_up_hours)),
    ];
    for (k, v) in rows {
        let _ = writeln!(h, "<tr><td>{k}</td><td style=\"text-align:left\">{v}</td></tr>");
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
    let _ = writeln!(
        h,
        "<footer>Written by callroute {} (<code>callroute simulate</code>). Self-contained: no scripts, no external files.</footer>",
        env!("CARGO_PKG_VERSION")
    );
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn ci_html(e: &Estimate) -> String {
    let s = sl_ci(e);
    match s.split_once(' ') {
        Some((mean, rest)) => format!("{} <span class=\"ci\">{}</span>", esc(mean), esc(rest)),
        None => esc(&s),
    }
}
