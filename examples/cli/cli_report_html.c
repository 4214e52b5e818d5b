/* SPDX-License-Identifier: MIT */
/*
 * b2b2c report --html FILE: the report as one self-contained HTML page.
 * The charts are SVG drawn here (no script, no font, image or style sheet
 * from elsewhere). Each chart is an <svg data-chart="NAME"> whose data
 * points are the elements of class "point", each with data-label and
 * data-value; data-table names the table holding the same numbers and
 * data-series how many points a table row gives, so a test can check the
 * drawing against the numbers (tests/report/check_report.py).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_report.h"

#define W 560 /* chart width */
#define H 260 /* chart height */
#define ML 56 /* left margin (axis labels) */
#define MB 44 /* bottom margin (category labels) */
#define MT 22

static const char *const COLOR[] = {"#2f6db5", "#e08a2c", "#4a9a5b",
                                    "#b8443f", "#7d5ba6"};

/* Text with &, <, >, " escaped (IDs come from the database). */
static void esc(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

/* A value for data-value: shortest exact-enough form, "NaN" kept. */
static void val(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("NaN", f);
}

/* An axis number: 1.2k, 3.4M. */
static const char *tick(char *b, double v)
{
    double a = fabs(v);
    if (a >= 1e9)
        snprintf(b, 24, "%.3gG", v / 1e9);
    else if (a >= 1e6)
        snprintf(b, 24, "%.3gM", v / 1e6);
    else if (a >= 1e3)
        snprintf(b, 24, "%.3gk", v / 1e3);
    else
        snprintf(b, 24, "%.3g", v);
    return b;
}

/* A round step for about 5 ticks over [0, top]. */
static double nice_step(double top)
{
    double raw = top / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static void svg_open(FILE *f, const char *name, const char *title,
                     const char *table, int series, int w, int h)
{
    fprintf(f,
            "<figure><svg data-chart=\"%s\" data-table=\"%s\" "
            "data-series=\"%d\" role=\"img\" aria-label=\"",
            name, table, series);
    esc(f, title);
    fprintf(f,
            "\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
            "xmlns=\"http://www.w3.org/2000/svg\">\n",
            w, h, w, h);
}

static void legend(FILE *f, const char *const *names, int n, int x, int y)
{
    for (int s = 0; s < n; s++) {
        fprintf(f,
                "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" "
                "fill=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"lg\">",
                x, y - 9, COLOR[s], x + 14, y);
        esc(f, names[s]);
        fputs("</text>\n", f);
        x += 14 + 8 * (int)strlen(names[s]) + 16;
    }
}

/* Vertical axis from lo to hi at the left, with grid lines. */
static void y_axis(FILE *f, double lo, double hi, double step, int w, int h,
                   const char *suffix)
{
    char b[24];
    for (double v = lo; v <= hi + step * 1e-9; v += step) {
        double y = MT + (h - MT - MB) * (hi - v) / (hi - lo);
        fprintf(f,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                "class=\"grid\"/><text x=\"%d\" y=\"%.1f\" "
                "class=\"ax\" text-anchor=\"end\">%s%s</text>\n",
                ML, w - 8, y, y, ML - 6, y + 4, tick(b, fabs(v) < step * 1e-9 ? 0 : v),
                suffix);
    }
}

/* A category label under a bar; a segment name's first word ("dealer_")
 * on a line of its own so that neighbours do not overlap. */
static void axis_label(FILE *f, const char *s, double x, int y)
{
    const char *u = strchr(s, '_');
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"ax\" "
               "text-anchor=\"middle\">", x, y);
    if (!u) {
        esc(f, s);
    } else {
        char first[64];
        size_t n = (size_t)(u - s) < sizeof(first) - 1 ? (size_t)(u - s)
                                                        : sizeof(first) - 1;
        memcpy(first, s, n);
        first[n] = 0;
        fprintf(f, "<tspan x=\"%.1f\">", x);
        esc(f, first);
        fprintf(f, "</tspan><tspan x=\"%.1f\" dy=\"13\">", x);
        esc(f, u + 1);
        fputs("</tspan>", f);
    }
    fputs("</text>\n", f);
}

/*
 * Vertical bars: n categories, `series` values each (values[i * series +
 * s]), grouped side by side or stacked. Every bar is a point.
 */
static void bars(FILE *f, const char *name, const char *title,
                 const char *table, const char *const *labels,
                 const double *values, size_t n, int series,
                 const char *const *series_names, int stacked,
                 const char *suffix)
{
    double top = 0, step;
    int w = W, h = H;
    double slot, bw;
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        for (int s = 0; s < series; s++) {
            double v = values[i * series + s];
            if (!isfinite(v) || v < 0)
                v = 0;
            sum += v;
            if (!stacked && v > top)
                top = v;
        }
        if (stacked && sum > top)
            top = sum;
    }
    if (!(top > 0))
        top = 1;
    step = nice_step(top);
    top = ceil(top / step) * step;
    svg_open(f, name, title, table, series, w, h);
    y_axis(f, 0, top, step, w, h, suffix);
    slot = (double)(w - ML - 8) / (n ? (double)n : 1);
    bw = slot * 0.7 / (stacked ? 1 : series);
    for (size_t i = 0; i < n; i++) {
        double x0 = ML + slot * i + slot * 0.15, base = h - MB;
        for (int s = 0; s < series; s++) {
            double v = values[i * series + s];
            double hh = isfinite(v) && v > 0 ? (h - MT - MB) * v / top : 0;
            double x = stacked ? x0 : x0 + bw * s;
            fprintf(f,
                    "<rect class=\"point\" data-label=\"");
            esc(f, labels[i]);
            if (series > 1) {
                fputs(" / ", f);
                esc(f, series_names[s]);
            }
            fputs("\" data-value=\"", f);
            val(f, v);
            fprintf(f,
                    "\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\" fill=\"%s\"><title>",
                    x, base - hh, bw, hh, COLOR[s]);
            esc(f, labels[i]);
            fputs(": ", f);
            val(f, v);
            fputs("</title></rect>\n", f);
            if (stacked)
                base -= hh;
        }
        axis_label(f, labels[i], ML + slot * i + slot / 2, h - MB + 16);
    }
    if (series > 1) /* top right, above the grid */
        legend(f, series_names, series, w - 290, 10);
    fputs("</svg><figcaption>", f);
    esc(f, title);
    fputs("</figcaption></figure>\n", f);
}

/*
 * Horizontal bars, which may be negative (a zero line is drawn): one
 * value per category, coloured by color_of[i] (an index into COLOR).
 */
static void hbars(FILE *f, const char *name, const char *title,
                  const char *table, const char *const *labels,
                  const double *values, const int *color_of, size_t n,
                  const char *const *color_names, int ncolors)
{
    const int lw = 130, row = 24;
    int h = MT + row * (int)n + 40, w = W;
    double lo = 0, hi = 0, span, x0;
    char b[24];
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i])) {
            if (values[i] < lo)
                lo = values[i];
            if (values[i] > hi)
                hi = values[i];
        }
    if (hi - lo <= 0)
        hi = lo + 1;
    span = hi - lo;
    x0 = lw + (w - lw - 60) * (0 - lo) / span;
    svg_open(f, name, title, table, 1, w, h);
    for (size_t i = 0; i < n; i++) {
        double v = isfinite(values[i]) ? values[i] : 0;
        double x1 = lw + (w - lw - 60) * (v - lo) / span;
        double y = MT + row * (double)i;
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"ax\" "
                   "text-anchor=\"end\">", lw - 6, y + 15);
        esc(f, labels[i]);
        fputs("</text>\n<rect class=\"point\" data-label=\"", f);
        esc(f, labels[i]);
        fputs("\" data-value=\"", f);
        val(f, values[i]);
        fprintf(f,
                "\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" "
                "fill=\"%s\"/>\n<text x=\"%.1f\" y=\"%.1f\" class=\"ax\">"
                "%s</text>\n",
                v < 0 ? x1 : x0, y + 3, fabs(x1 - x0),
                COLOR[color_of ? color_of[i] : 0], (v < 0 ? x0 : x1) + 4,
                y + 15, tick(b, values[i]));
    }
    fprintf(f,
            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
            "class=\"zero\"/>\n",
            x0, x0, MT - 4, MT + row * (int)n);
    if (ncolors > 1)
        legend(f, color_names, ncolors, lw, h - 8);
    fputs("</svg><figcaption>", f);
    esc(f, title);
    fputs("</figcaption></figure>\n", f);
}

/* ---- sections ---- */

static void th(FILE *f, const char *const *cols, int n)
{
    fputs("<thead><tr>", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "<th>%s</th>", cols[i]);
    fputs("</tr></thead><tbody>\n", f);
}

static void td_text(FILE *f, const char *s)
{
    fputs("<td class=\"t\">", f);
    esc(f, s);
    fputs("</td>", f);
}

static void td(FILE *f, const char *fmt, double v)
{
    fputs("<td>", f);
    if (isfinite(v))
        fprintf(f, fmt, v);
    else
        fputs("&ndash;", f);
    fputs("</td>", f);
}

static void segments(FILE *f, const report *r)
{
    static const char *const cols[] = {"segment", "accounts", "customers",
                                       "CLV product", "CLV services",
                                       "CLV per customer", "fit"};
    static const char *const parts[] = {"product", "services"};
    const char *labels[REP_SEGMENTS - 1];
    double cust[REP_SEGMENTS - 1], clv[2 * (REP_SEGMENTS - 1)];
    fputs("<section><h2>Segment mix and lifetime value</h2>\n", f);
    for (int s = 1; s < REP_SEGMENTS; s++) {
        double n = (double)r->clv_n[s];
        labels[s - 1] = b2b2c_segment_name(s);
        cust[s - 1] = (double)r->customers[s];
        clv[2 * (s - 1)] = n > 0 ? r->clv_product[s] / n : NAN;
        clv[2 * (s - 1) + 1] = n > 0 ? r->clv_service[s] / n : NAN;
    }
    fputs("<div class=\"row\">", f);
    bars(f, "segment-mix", "Customers per segment", "segments", labels, cust,
         REP_SEGMENTS - 1, 1, NULL, 0, "");
    bars(f, "clv-segments",
         "Lifetime value per customer, next two years: product + services",
         "segments", labels, clv, REP_SEGMENTS - 1, 2, parts, 1, "");
    fputs("</div><table data-table=\"segments\">", f);
    th(f, cols, 7);
    for (int s = 1; s < REP_SEGMENTS; s++) {
        double n = (double)r->clv_n[s];
        fputs("<tr>", f);
        td_text(f, b2b2c_segment_name(s));
        td(f, "%.0f", (double)r->accounts[s]);
        td(f, "%.0f", (double)r->customers[s]);
        td(f, "%.0f", n > 0 ? r->clv_product[s] / n : NAN);
        td(f, "%.0f", n > 0 ? r->clv_service[s] / n : NAN);
        td(f, "%.0f", n > 0 ? (r->clv_product[s] + r->clv_service[s]) / n : NAN);
        td_text(f, r->fit[s]);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></section>\n", f);
}

static void leads(FILE *f, const report *r)
{
    static const char *const bcols[] = {"band", "leads"};
    static const char *const fcols[] = {"step", "leads", "of created"};
    static const char *const bands[] = {"cold", "warm", "hot"};
    double bv[3], fv[REP_FUNNEL];
    fprintf(f,
            "<section><h2>Leads: %lld, by band now, and the funnel</h2>\n"
            "<div class=\"row\">",
            (long long)r->leads_total);
    for (int b = 0; b < 3; b++)
        bv[b] = (double)r->band[b + 1];
    for (int k = 0; k < REP_FUNNEL; k++)
        fv[k] = (double)r->funnel[k];
    bars(f, "lead-bands", "Leads per band at the report date", "bands",
         bands, bv, 3, 1, NULL, 0, "");
    hbars(f, "funnel", "Leads that ever reached each step", "funnel",
          rep_funnel_names, fv, NULL, REP_FUNNEL, NULL, 0);
    fputs("</div><div class=\"row\"><table data-table=\"bands\">", f);
    th(f, bcols, 2);
    for (int b = 0; b < 3; b++) {
        fputs("<tr>", f);
        td_text(f, bands[b]);
        td(f, "%.0f", bv[b]);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table><table data-table=\"funnel\">", f);
    th(f, fcols, 3);
    for (int k = 0; k < REP_FUNNEL; k++) {
        fputs("<tr>", f);
        td_text(f, rep_funnel_names[k]);
        td(f, "%.0f", fv[k]);
        td(f, "%.1f%%", r->funnel[0] ? 100.0 * fv[k] / (double)r->funnel[0]
                                     : NAN);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div></section>\n", f);
}

static void fairness(FILE *f, const report *r)
{
    static const char *const cols[] = {"decile", "dealers", "share of leads",
                                       "share of wins"};
    static const char *const names[] = {"share of leads", "share of wins"};
    static const char *const dl[REP_DECILES] = {"1", "2", "3", "4", "5",
                                                "6", "7", "8", "9", "10"};
    const char *labels[REP_DECILES];
    double v[2 * REP_DECILES];
    size_t n = 0;
    for (int k = 0; k < REP_DECILES; k++)
        if (r->dec_n[k]) {
            labels[n] = dl[k];
            v[2 * n] = 100 * r->dec_leads[k];
            v[2 * n + 1] = 100 * r->dec_won[k];
            n++;
        }
    fputs("<section><h2>Routing fairness</h2>\n<p>Dealers in deciles by "
          "posterior conversion (1 = best), their share of the period's "
          "leads against their share of its wins.</p>\n<div class=\"row\">",
          f);
    bars(f, "routing-fairness", "Share of leads and of wins per dealer "
                                "decile, %", "fairness",
         labels, v, n, 2, names, 0, "%");
    fputs("<table data-table=\"fairness\">", f);
    th(f, cols, 4);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr>", f);
        td_text(f, labels[i]);
        td(f, "%.0f", (double)r->dec_n[atoi(labels[i]) - 1]);
        td(f, "%.1f%%", v[2 * i]);
        td(f, "%.1f%%", v[2 * i + 1]);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div></section>\n", f);
}

/* The top and bottom dealers: the posterior mean as a dot (the point) on
 * its credible interval, the network median as a dashed line. */
static void dealers(FILE *f, const report *r)
{
    static const char *const cols[] = {"rank", "dealer", "offers", "won",
                                       "conversion", "posterior mean",
                                       "interval low", "interval high",
                                       "gap to median"};
    size_t idx[2000], n = 0, top = (size_t)r->top;
    const int lw = 110, row = 22;
    int w = W, h;
    for (size_t i = 0; i < r->ndealers && n < 2000; i++)
        if (i < top || i + top >= r->ndealers)
            idx[n++] = i;
    h = MT + row * (int)n + 36;
    fprintf(f, "<section><h2>Dealers: top and bottom %zu of %zu</h2>\n"
               "<div class=\"row\">",
            top, r->ndealers);
    svg_open(f, "dealer-intervals",
             "Posterior conversion with its credible interval; dashed: "
             "the network median",
             "dealers", 1, w, h);
    for (int p = 0; p <= 100; p += 20) {
        double x = lw + (w - lw - 20) * p / 100.0;
        fprintf(f,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
                "class=\"grid\"/><text x=\"%.1f\" y=\"%d\" class=\"ax\" "
                "text-anchor=\"middle\">%d%%</text>\n",
                x, x, MT - 4, MT + row * (int)n, x, h - 12, p);
    }
    if (isfinite(r->median)) {
        double x = lw + (w - lw - 20) * r->median;
        fprintf(f,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
                "class=\"median\"/>\n",
                x, x, MT - 4, MT + row * (int)n);
    }
    for (size_t k = 0; k < n; k++) {
        const rep_dealer *d = &r->dealers[idx[k]];
        double y = MT + row * (double)k + 10;
        double xl = lw + (w - lw - 20) * d->low,
               xh = lw + (w - lw - 20) * d->high,
               xm = lw + (w - lw - 20) * d->mean;
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"ax\" "
                   "text-anchor=\"end\">", lw - 6, y + 4);
        esc(f, d->id);
        fprintf(f,
                "</text>\n<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
                "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>\n"
                "<circle class=\"point\" data-label=\"",
                xl, xh, y, y, COLOR[k < top ? 2 : 3]);
        esc(f, d->id);
        fputs("\" data-value=\"", f);
        val(f, d->mean);
        fprintf(f, "\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>\n", xm,
                y, COLOR[k < top ? 2 : 3]);
    }
    fputs("</svg><figcaption>Posterior conversion with its credible "
          "interval; dashed: the network median</figcaption></figure>\n"
          "<table data-table=\"dealers\">",
          f);
    th(f, cols, 9);
    for (size_t k = 0; k < n; k++) {
        const rep_dealer *d = &r->dealers[idx[k]];
        fputs("<tr>", f);
        td(f, "%.0f", d->rank);
        td_text(f, d->id);
        td(f, "%.0f", d->offered);
        td(f, "%.0f", d->won);
        td(f, "%.1f%%", 100 * d->conv);
        td(f, "%.1f%%", 100 * d->mean);
        td(f, "%.1f%%", 100 * d->low);
        td(f, "%.1f%%", 100 * d->high);
        td(f, "%+.1f pp", 100 * d->gap);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div></section>\n", f);
}

static void due(FILE *f, const report *r)
{
    static const char *const cols[] = {"customer", "due", "P(alive)",
                                       "expected value"};
    char day[11];
    fprintf(f,
            "<section><h2>Repeat purchases due in %.0f days: %zu "
            "customers</h2>\n<table data-table=\"due\">",
            r->due_window, r->due_total);
    th(f, cols, 4);
    for (size_t i = 0; i < r->ndue; i++) {
        fputs("<tr>", f);
        td_text(f, r->due[i].id);
        td_text(f, rep_date(day, r->due[i].due));
        td(f, "%.2f", r->due[i].p_alive);
        td(f, "%.0f", r->due[i].value);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></section>\n", f);
}

/* The dealer network: sell-out share of the top dealers, the bonus
 * program's projected bonuses, the reorder due list. */
static void network(FILE *f, const report *r)
{
    static const char *const ncols[] = {"dealer", "sell-out", "share",
                                        "growth", "trend", "rank",
                                        "days of stock", "sell-through"};
    static const char *const bcols[] = {"dealer", "volume", "tier",
                                        "gap to next", "accrued",
                                        "projected volume", "projected tier",
                                        "projected bonus"};
    static const char *const rcols[] = {"dealer", "orders", "last order",
                                        "median interval", "due",
                                        "days late", "overdue", "exceeded",
                                        "next units", "next amount"};
    const rep_network *n = &r->net;
    const char *labels[1000];
    double v[1000];
    char d1[11], d2[11];
    size_t k;
    if (n->ndealers == 0) {
        fputs("<section><h2>Dealer network</h2><p class=\"note\">No "
              "sell-in or sell-out in this database (<code>b2b2c programs "
              "load</code>).</p></section>\n",
              f);
        return;
    }
    fprintf(f,
            "<section><h2>Dealer network, %s to %s: sell-out %.2fM, "
            "sell-in %.2fM</h2>\n<div class=\"row\">",
            rep_date(d1, n->from),
            rep_date(d2, n->from + (REP_NET_DAYS - 1) * INT64_C(86400)),
            n->sell_out / 1e8, n->sell_in / 1e8);
    for (k = 0; k < n->ntop && k < 1000; k++) {
        labels[k] = n->top[k].id;
        v[k] = 100 * n->top[k].f[B2B2C_PROGRAMS_F_SHARE];
    }
    hbars(f, "network-share",
          "Share of the network's sell-out, %, the top dealers",
          "network", labels, v, NULL, k, NULL, 1);
    fputs("<table data-table=\"network\">", f);
    th(f, ncols, 8);
    for (k = 0; k < n->ntop; k++) {
        const double *x = n->top[k].f;
        fputs("<tr>", f);
        td_text(f, n->top[k].id);
        td(f, "%.0f", x[B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT] / 100.0);
        td(f, "%.1f%%", 100 * x[B2B2C_PROGRAMS_F_SHARE]);
        td(f, "%+.1f%%", 100 * x[B2B2C_PROGRAMS_F_GROWTH]);
        td(f, "%+.1f%%", 100 * x[B2B2C_PROGRAMS_F_TREND_RELATIVE]);
        fprintf(f, "<td>%.0f of %.0f</td>", x[B2B2C_PROGRAMS_F_RANK],
                x[B2B2C_PROGRAMS_F_RANK_OF]);
        td(f, "%.1f", x[B2B2C_PROGRAMS_F_DAYS_OF_STOCK]);
        td(f, "%.2f", x[B2B2C_PROGRAMS_F_SELL_THROUGH]);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    if (n->has_program) {
        fputs("<h3>Bonus program ", f);
        esc(f, n->program);
        fprintf(f,
                ": accrued %.2fM, projected %.2fM; %zu of %zu dealers in "
                "a tier, %zu by the period's end</h3>\n<div class=\"row\">",
                n->accrued / 1e8, n->projected / 1e8, n->tiers_now,
                n->ndealers, n->tiers_projected);
        for (k = 0; k < n->nbonus_top && k < 1000; k++) {
            labels[k] = n->bonus_top[k].id;
            v[k] = (double)n->bonus_top[k]
                       .bonus[B2B2C_PROGRAM_F_PROJECTED_BONUS] /
                   100.0;
        }
        hbars(f, "bonus-progress",
              "Bonus projected to the period's end from the run rate",
              "bonus", labels, v, NULL, k, NULL, 1);
        fputs("<table data-table=\"bonus\">", f);
        th(f, bcols, 8);
        for (k = 0; k < n->nbonus_top; k++) {
            const int64_t *b = n->bonus_top[k].bonus;
            fputs("<tr>", f);
            td_text(f, n->bonus_top[k].id);
            td(f, "%.0f", (double)b[B2B2C_PROGRAM_F_VOLUME] / 100.0);
            td(f, "%.0f", (double)b[B2B2C_PROGRAM_F_TIER]);
            td(f, "%.0f", b[B2B2C_PROGRAM_F_NEXT_THRESHOLD] < 0
                              ? NAN
                              : (double)b[B2B2C_PROGRAM_F_GAP] / 100.0);
            td(f, "%.0f", (double)b[B2B2C_PROGRAM_F_ACCRUED] / 100.0);
            td(f, "%.0f",
               (double)b[B2B2C_PROGRAM_F_PROJECTED_VOLUME] / 100.0);
            td(f, "%.0f", (double)b[B2B2C_PROGRAM_F_PROJECTED_TIER]);
            td(f, "%.0f",
               (double)b[B2B2C_PROGRAM_F_PROJECTED_BONUS] / 100.0);
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
    } else {
        fputs("<p class=\"note\">No bonus program '", f);
        esc(f, n->program);
        fputs("' (<code>--bonus-program</code>).</p>\n", f);
    }
    fprintf(f,
            "<h3>Reorders due within %d days: %zu dealers, %zu overdue</h3>"
            "\n<table data-table=\"reorders\">",
            n->reorder_window, n->reorders_total, n->overdue_total);
    th(f, rcols, 10);
    for (k = 0; k < n->nreorders; k++) {
        const double *x = n->reorders[k].f;
        fputs("<tr>", f);
        td_text(f, n->reorders[k].id);
        td(f, "%.0f", x[B2B2C_PROGRAMS_R_ORDERS]);
        td_text(f, rep_date(d1, (int64_t)x[B2B2C_PROGRAMS_R_LAST_ORDER]));
        td(f, "%.1f", x[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL]);
        td_text(f, rep_date(d2, (int64_t)x[B2B2C_PROGRAMS_R_DUE]));
        td(f, "%.0f", x[B2B2C_PROGRAMS_R_DAYS_LATE]);
        td_text(f, x[B2B2C_PROGRAMS_R_OVERDUE] > 0 ? "overdue" : "");
        td(f, "%.2f", x[B2B2C_PROGRAMS_R_EXCEEDED]);
        td(f, "%.0f", x[B2B2C_PROGRAMS_R_EXPECTED_UNITS]);
        td(f, "%.0f", x[B2B2C_PROGRAMS_R_EXPECTED_AMOUNT] / 100.0);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></section>\n", f);
}

static void channel_row(FILE *f, const rep_channel *c, const char *name,
                        const char *kind)
{
    fputs("<tr>", f);
    td_text(f, name);
    td_text(f, kind);
    td(f, "%.0f", c->spend);
    td(f, "%.0f", c->leads);
    td(f, "%.0f", c->cpl);
    td(f, "%.1f", c->conversions);
    td(f, "%.0f", c->revenue);
    td(f, "%.0f", c->ltv);
    td(f, "%.2f", c->roi);
    td(f, "%.2f", c->roi_ltv);
    fputs("</tr>\n", f);
}

static void channels(FILE *f, const report *r)
{
    static const char *const cols[] = {"channel", "kind", "spend", "leads",
                                       "CPL", "conversions", "revenue",
                                       "LTV", "ROI", "ROI on LTV"};
    static const char *const kinds[] = {"reach", "lead generation"};
    static const char *const wk[] = {"week", "leads", "CPL",
                                     "lead-gen spend", "reach spend (lagged)"};
    const char *labels[64];
    double v[64];
    int color[64];
    size_t n = r->nchannels < 64 ? r->nchannels : 64;
    char day[11];
    for (size_t i = 0; i < n; i++) {
        labels[i] = r->channels[i].id;
        v[i] = r->channels[i].roi_ltv;
        color[i] = r->channels[i].kind == B2B2C_CHANNEL_KIND_REACH ? 1 : 0;
    }
    fputs("<section><h2>Channels: return on lifetime value</h2>\n"
          "<p>Linear attribution over the period; ROI on LTV = (attributed "
          "lifetime value &minus; spend) / spend.</p>\n",
          f);
    hbars(f, "channel-roi", "ROI on lifetime value per channel", "channels",
          labels, v, color, n, kinds, 2);
    fputs("<table data-table=\"channels\">", f);
    th(f, cols, 10);
    for (size_t i = 0; i < n; i++)
        channel_row(f, &r->channels[i], r->channels[i].id,
                    r->channels[i].kind == B2B2C_CHANNEL_KIND_REACH
                        ? "reach"
                        : "lead generation");
    fputs("</tbody><tfoot>", f);
    channel_row(f, &r->kinds[1], "all reach", "reach");
    channel_row(f, &r->kinds[2], "all lead generation", "lead generation");
    fprintf(f,
            "</tfoot></table>\n<p>Reach: %.0f%% of the spend, %.0f%% of "
            "the attributed first revenue. Weekly lead cost against the "
            "reach spend %.0f weeks before: slope %.3g, correlation %.2f "
            "over %zu weeks (negative: reach makes leads cheaper).</p>\n",
            100 * r->mix[B2B2C_MIX_REACH_SPEND_SHARE],
            100 * r->mix[B2B2C_MIX_REACH_VALUE_SHARE], r->lag_weeks,
            r->lag_slope, r->lag_corr, r->lag_pairs);

    /* weekly leads: a line with a point per week */
    {
        double top = 0, step;
        int w = 2 * W + 24, h = H;
        svg_open(f, "weekly-leads",
                 "Lead-generation leads per week", "weeks", 1, w, h);
        for (size_t i = 0; i < r->nweeks; i++)
            if (r->weeks[i].leads > top)
                top = r->weeks[i].leads;
        if (!(top > 0))
            top = 1;
        step = nice_step(top);
        top = ceil(top / step) * step;
        y_axis(f, 0, top, step, w, h, "");
        fputs("<polyline class=\"line\" points=\"", f);
        for (size_t i = 0; i < r->nweeks; i++)
            fprintf(f, "%.1f,%.1f ",
                    ML + (w - ML - 8) * (i + 0.5) / (double)r->nweeks,
                    MT + (h - MT - MB) * (top - r->weeks[i].leads) / top);
        fputs("\"/>\n", f);
        for (size_t i = 0; i < r->nweeks; i++) {
            double x = ML + (w - ML - 8) * (i + 0.5) / (double)r->nweeks;
            fprintf(f, "<circle class=\"point\" data-label=\"%s\" "
                       "data-value=\"",
                    rep_date(day, r->weeks[i].start));
            val(f, r->weeks[i].leads);
            fprintf(f, "\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n", x,
                    MT + (h - MT - MB) * (top - r->weeks[i].leads) / top,
                    COLOR[0]);
            if (i % 13 == 0)
                fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"ax\" "
                           "text-anchor=\"middle\">%.7s</text>\n",
                        x, h - MB + 16, day);
        }
        fputs("</svg><figcaption>Lead-generation leads per week"
              "</figcaption></figure>\n<details><summary>The weeks as a "
              "table</summary><table data-table=\"weeks\">",
              f);
        th(f, wk, 5);
        for (size_t i = 0; i < r->nweeks; i++) {
            fputs("<tr>", f);
            td_text(f, rep_date(day, r->weeks[i].start));
            td(f, "%.0f", r->weeks[i].leads);
            td(f, "%.0f", r->weeks[i].cpl);
            td(f, "%.0f", r->weeks[i].leadgen_spend);
            td(f, "%.0f", r->weeks[i].reach_spend);
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table></details>\n", f);
    }
    fputs("</section>\n", f);
}

int rep_write_html(const report *r, FILE *f)
{
    char day[11], from[11];
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
            "charset=\"utf-8\">\n<title>b2b2c report %s</title>\n"
            "<style>\n"
            "body{font:14px/1.4 system-ui,sans-serif;margin:24px;"
            "color:#222;max-width:1200px}\n"
            "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;"
            "margin:24px 0 8px;border-bottom:1px solid #ddd}\n"
            "h3{font-size:15px;margin:16px 0 4px}\n"
            ".row{display:flex;flex-wrap:wrap;gap:24px;align-items:"
            "flex-start}\nfigure{margin:0}figcaption{font-size:12px;"
            "color:#555}\n"
            "table{border-collapse:collapse;margin:8px 0;font-size:13px}\n"
            "th,td{padding:2px 8px;text-align:right;border-bottom:1px "
            "solid #eee}th{background:#f4f4f4}td.t{text-align:left}\n"
            "tfoot td{font-weight:bold}\n"
            "svg .ax{font-size:11px;fill:#444}svg .lg{font-size:12px;"
            "fill:#222}\nsvg .grid{stroke:#e5e5e5}svg .zero{stroke:#333}\n"
            "svg .median{stroke:#333;stroke-dasharray:4 3}\n"
            "svg .line{fill:none;stroke:#2f6db5;stroke-width:1.5}\n"

            ".note{color:#555;font-size:13px}\n"
            "</style></head><body>\n",
            rep_date(day, r->now));
    fprintf(f,
            "<h1>Sales report at %s</h1>\n<p class=\"note\">Dealers and "
            "channels: %s to %s (%d days). Lifetime value: the next %.0f "
            "units of %.0f days, discounted, at the fitted models. "
            "Written by <code>b2b2c report</code> (libb2b2c %s); "
            "docs/report.md explains every number.</p>\n",
            day, rep_date(from, r->from), day, r->days, r->horizon,
            r->unit_days, b2b2c_version_string());
    segments(f, r);
    leads(f, r);
    fairness(f, r);
    dealers(f, r);
    due(f, r);
    network(f, r);
    channels(f, r);
    fputs("<section><h2>Not answered by the engines</h2><p class=\"note\">"
          "Revenue and margin per region, lifetime value per dealer, the "
          "time leads spend in each stage, and spend per segment group "
          "outside the channels: see docs/report.md.</p></section>\n"
          "</body></html>\n",
          f);
    return ferror(f) ? cli_data_error("--html: write error") : 0;
}
