//! The built-in US schedule against the worked checks of the calendar (its section 3) and
//! hand-derived totals for lines of every authority on dates across 2024–2026. Each
//! expected total is the sum written next to it, from the column 1 rate of the HTS 2025
//! and the rates of the calendar.

use tariffsim::schedule::{Date, Query, Schedule, ScheduleError, Stack};

fn stack(hts: &str, origin: &str, date: &str, claim: Option<&str>) -> Stack {
    try_stack(hts, origin, date, claim, None)
        .unwrap_or_else(|e| panic!("{hts} {origin} {date}: {e}"))
}

fn try_stack(
    hts: &str,
    origin: &str,
    date: &str,
    claim: Option<&str>,
    metal_share: Option<f64>,
) -> Result<Stack, ScheduleError> {
    Schedule::us().stack(&Query {
        hts,
        origin,
        date: Date::parse(date).unwrap(),
        claim,
        metal_share,
    })
}

/// Asserts the total (in percent) and the authorities that make it up.
#[track_caller]
fn total(s: &Stack, pct: f64, authorities: &[&str]) {
    let got: Vec<String> = s
        .measures
        .iter()
        .filter(|m| m.ad_valorem != 0.0 || m.id == "MFN")
        .map(|m| format!("{} {}", m.authority, m.heading))
        .collect();
    assert!(
        (s.total_ad_valorem * 100.0 - pct).abs() < 1e-9,
        "{} {} {}: total {} %, expected {pct} %; measures {got:?}",
        s.hts,
        s.origin,
        s.date,
        s.total_ad_valorem * 100.0
    );
    for a in authorities {
        assert!(
            got.iter().any(|g| g.contains(a)),
            "{} {} {}: expected `{a}` among {got:?}",
            s.hts,
            s.origin,
            s.date
        );
    }
}

#[test]
fn check_1_to_3_handbags_from_china_through_the_ieepa_ruling() {
    // 1: MFN 20 + list 3 25 + fentanyl 20 + reciprocal 125 (04-10 → 05-13) = 190
    total(
        &stack("4202.12.21", "CN", "2025-04-25", None),
        190.0,
        &["9903.88.03", "9903.01.24", "9903.01.63"],
    );
    // 2: fentanyl cut to 10 on 11-10, reciprocal 10: 20 + 25 + 10 + 10 = 65
    total(
        &stack("4202.12.21", "CN", "2025-11-20", None),
        65.0,
        &["9903.01.25"],
    );
    // 3: IEEPA void; Section 122: 20 + 25 + 10 = 55
    total(
        &stack("4202.12.21", "CN", "2026-05-15", None),
        55.0,
        &["9903.03.01"],
    );
}

#[test]
fn check_4_korea_surcharge_then_floor_with_and_without_korus() {
    // Sep 2025, additive 15: KORUS 0 + 15 = 15; general 16.5 + 15 = 31.5
    total(
        &stack("6109.10.00", "KR", "2025-09-15", Some("KORUS")),
        15.0,
        &["9903.02.56"],
    );
    total(
        &stack("6109.10.00", "KR", "2025-09-15", None),
        31.5,
        &["9903.02.56"],
    );
    // Dec 2025, floor 15 vs column 1 as entered: KORUS 0 → 15; general 16.5 >= 15 → 16.5
    total(
        &stack("6109.10.00", "KR", "2025-12-15", Some("KORUS")),
        15.0,
        &["9903.02.80"],
    );
    total(&stack("6109.10.00", "KR", "2025-12-15", None), 16.5, &[]);
}

#[test]
fn check_5_vietnam_one_day_rate_pause_and_deal() {
    total(
        &stack("6110.30.30", "VN", "2025-04-09", None),
        78.0,
        &["9903.01.72"],
    );
    total(
        &stack("6110.30.30", "VN", "2025-06-15", None),
        42.0,
        &["9903.01.25"],
    );
    total(
        &stack("6110.30.30", "VN", "2025-09-15", None),
        52.0,
        &["9903.02.69"],
    );
}

#[test]
fn check_6_canada_fentanyl_and_section_122_with_and_without_usmca() {
    total(
        &stack("6109.10.00", "CA", "2025-08-15", None),
        51.5,
        &["9903.01.10"],
    );
    total(
        &stack("6109.10.00", "CA", "2026-05-15", None),
        26.5,
        &["9903.03.01"],
    );
    total(
        &stack("6109.10.00", "CA", "2025-08-15", Some("USMCA")),
        0.0,
        &[],
    );
    total(
        &stack("6109.10.00", "CA", "2026-05-15", Some("USMCA")),
        0.0,
        &[],
    );
}

#[test]
fn check_7_steel_50_uk_25_china_stacks_and_the_annex() {
    // 2025-07-15: 50 from 06-04 (UK 25); reciprocal displaced by Section 232
    total(
        &stack("7210.49.00", "JP", "2025-07-15", None),
        50.0,
        &["9903.81.91"],
    );
    total(&stack("7210.49.00", "GB", "2025-07-15", None), 25.0, &[]);
    // CN: 0 + 50 + Section 301 9903.91.01 25 + fentanyl 20 = 95
    total(
        &stack("7210.49.00", "CN", "2025-07-15", None),
        95.0,
        &["9903.91.01", "9903.01.24"],
    );
    // 2026: annex I-A 9903.82.02 on full value, Section 122 off
    total(
        &stack("7210.49.00", "JP", "2026-05-15", None),
        50.0,
        &["9903.82.02"],
    );
}

#[test]
fn check_8_autos_japan_and_korea_deal_floors() {
    total(
        &stack("8703.23.01", "JP", "2025-09-10", None),
        27.5,
        &["9903.94.01"],
    );
    total(
        &stack("8703.23.01", "JP", "2025-09-20", None),
        15.0,
        &["9903.94.41"],
    );
    total(&stack("8703.23.01", "KR", "2025-10-15", None), 27.5, &[]);
    total(
        &stack("8703.23.01", "KR", "2025-11-05", None),
        15.0,
        &["9903.94.61"],
    );
}

#[test]
fn check_9_solar_module_safeguard_then_section_122() {
    total(
        &stack("8541.43.00.10", "KR", "2025-03-01", None),
        14.0,
        &["9903.45.25"],
    );
    total(
        &stack("8541.43.00.10", "KR", "2026-03-01", None),
        10.0,
        &["9903.03.01"],
    );
    // KORUS gives no relief from Section 122
    total(
        &stack("8541.43.00.10", "KR", "2026-03-01", Some("KORUS")),
        10.0,
        &[],
    );
}

#[test]
fn check_10_mpf_fy2026_bounds() {
    let s = stack("4202.12.21", "CN", "2026-05-15", None);
    let f = s.fees.unwrap();
    assert_eq!(f.fiscal_year, "FY2026");
    let mpf = |v: f64| (f.mpf_rate * v).clamp(f.mpf_min, f.mpf_max);
    assert_eq!(mpf(5_000.0), 33.58);
    assert!((mpf(100_000.0) - 346.40).abs() < 1e-9);
    assert_eq!(mpf(250_000.0), 651.50);
    assert!((f.hmf_rate * 100_000.0 - 125.0).abs() < 1e-9);
}

#[test]
fn december_2026_china_and_korea_electronics_and_solar() {
    // 8543.70.98 (MFN 2.6%) from CN on 2026-12-01: list 2 25 + forced-labour 12.5
    // (IEEPA void since 02-24, Section 122 ended 07-23): 2.6 + 25 + 12.5 = 40.1
    let s = stack("8543.70.98", "CN", "2026-12-01", None);
    total(&s, 40.1, &["9903.88.02", "9903.05.20"]);
    // Korea: the forced-labour floor 12.5 vs column 1: general 2.6 → +9.9 = 12.5;
    // claiming KORUS (Free) → +12.5 = 12.5
    total(
        &stack("8543.70.98", "KR", "2026-12-01", None),
        12.5,
        &["9903.05.71"],
    );
    total(
        &stack("8543.70.98", "KR", "2026-12-01", Some("KORUS")),
        12.5,
        &[],
    );
    // Solar module from KR after 2026-12-04: polysilicon floor 15 and forced-labour floor
    // 12.5 both against column 1 (Free): 15 + 12.5 = 27.5 (the calendar's open question
    // 10: encoded as stacking).
    total(
        &stack("8541.43.00.10", "KR", "2026-12-10", None),
        27.5,
        &["9903.45.31", "9903.05.71"],
    );
    // ... and from CN: Section 301 9903.91.02 50 + polysilicon 15 + forced labour 12.5
    total(
        &stack("8541.43.00.10", "CN", "2026-12-10", None),
        77.5,
        &["9903.91.02", "9903.45.30", "9903.05.20"],
    );
}

#[test]
fn de_minimis_by_date_and_origin() {
    let dm = |o: &str, d: &str| stack("4202.12.21", o, d, None).de_minimis;
    assert_eq!(dm("CN", "2025-04-01"), Some(800.0));
    assert_eq!(dm("CN", "2025-06-01"), None);
    assert_eq!(dm("KR", "2025-06-01"), Some(800.0));
    assert_eq!(dm("KR", "2025-09-01"), None);
}

#[test]
fn errors_name_nearest_lines_span_origin_and_claims() {
    match try_stack("8543.71", "CN", "2026-12-01", None, None) {
        Err(ScheduleError::UnknownLine { nearest, .. }) => {
            assert!(
                nearest.iter().all(|n| n.starts_with("8543.7")),
                "{nearest:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    match try_stack("8543.70", "CN", "2026-12-01", None, None) {
        Err(ScheduleError::NotRated { lines, .. }) => {
            assert!(lines.contains(&"8543.70.20.00".to_string()), "{lines:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        try_stack("4202.12.21", "CN", "2023-06-01", None, None),
        Err(ScheduleError::OutsideSpan { .. })
    ));
    match try_stack("4202.12.21", "China", "2026-06-01", None, None) {
        Err(ScheduleError::UnknownOrigin { suggestion, .. }) => {
            assert_eq!(suggestion.as_deref(), Some("CN"))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        try_stack("4202.12.21", "CN", "2026-06-01", Some("KORUS"), None),
        Err(ScheduleError::ClaimNotOpen { .. })
    ));
}

#[test]
fn metal_content_duties_need_the_share_and_split_the_value() {
    // Castors 8302.20.00 (MFN 5.7%, an aluminium derivative outside ch. 76) from KR on
    // 2025-09-01, metal 40% of value: 50% on the metal content = 20; the line is on the
    // reciprocal Annex II list, so no reciprocal: 5.7 + 20 = 25.7.
    let code = "8302.20.00";
    assert!(matches!(
        try_stack(code, "KR", "2025-09-01", None, None),
        Err(ScheduleError::MetalShareNeeded { .. })
    ));
    let s = try_stack(code, "KR", "2025-09-01", None, Some(0.4)).unwrap();
    total(&s, 25.7, &["9903.85.08"]);
    // A line off Annex II pays the reciprocal on the rest: a steel derivative of ch. 84?
    // Primary steel (ch. 72) is charged on the full value and needs no share.
    assert!(try_stack("7210.49.00", "KR", "2025-09-01", None, None).is_ok());
}

// ---------------------------------------------------------------------------------------
// Regimes built from the schedule
// ---------------------------------------------------------------------------------------

use tariffsim::model::{part, Plan};

/// Goods on `hs`, a direct CN route of `days` days, a Korea route that transforms (so it
/// truly qualifies for KORUS under rule "shift"), and `regimes`.
fn scenario(hs: &str, days: f64, head: &str, regimes: &str) -> String {
    format!(
        r#"[scenario]
name = "s"
{head}
[goods]
hs = "{hs}"
unit_value = 40.0
units = 2000
units_per_feu = 8000
[[routes]]
name = "direct"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 2800.0
days = {days}
[[routes]]
name = "korea"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 300.0
days = 3.0
[routes.processing]
country = "KR"
cost = 5.0
transforms = true
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = 2600.0
days = 14.0
{regimes}"#
    )
}

fn plan(text: &str) -> Plan {
    let built = tariffsim::scenario::from_str("s.toml", text).unwrap_or_else(|e| panic!("{e}"));
    Plan::new(built.scenario).unwrap()
}

#[test]
fn a_schedule_regime_costs_what_the_same_regime_written_by_hand_costs() {
    // 8543.70.98 on 2026-12-01: MFN 2.6% (KORUS Free), Section 301 list 2 25% on CN,
    // forced-labour 12.5% on CN, the Korea floor 12.5 over column 1; no de minimis;
    // FY2027 fees (FY2026 amounts carried forward).
    let by_schedule = "[[regimes]]\nname = \"law\"\nschedule = \"us\"\nas_of = \"2026-12-01\"\n";
    let by_hand = r#"[[regimes]]
name = "law"
[[regimes.measures]]
name = "MFN"
ad_valorem = 0.026
waived_by = ["KORUS"]
[[regimes.measures]]
name = "Section 301"
origins = ["CN"]
ad_valorem = 0.25
[[regimes.measures]]
name = "fl-cn"
origins = ["CN"]
ad_valorem = 0.125
[[regimes.measures]]
name = "fl-kr"
origins = ["KR"]
floor = 0.125
floor_over = ["MFN", "fl-kr"]
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "shift"
[regimes.fees]
mpf_rate = 0.003464
mpf_min = 33.58
mpf_max = 651.50
informal_threshold = 2500
mpf_informal = 2.69
hmf_rate = 0.00125
"#;
    let (a, b) = (
        plan(&scenario("8543.70.98", 18.0, "", by_schedule)),
        plan(&scenario("8543.70.98", 18.0, "", by_hand)),
    );
    let (mut sa, mut sb) = (a.scratch(), b.scratch());
    for t in 0..200 {
        a.trial(9, t, &mut sa);
        b.trial(9, t, &mut sb);
        for (x, y) in sa.outcomes.iter().zip(&sb.outcomes) {
            assert_eq!(x.parts, y.parts, "trial {t}");
            assert_eq!(x.flags, y.flags, "trial {t}");
        }
    }
    // direct: CV 40 → duty (0.026 + 0.25 + 0.125) * 40 = 16.04
    assert!((sa.outcomes[0].parts[part::DUTY] - 16.04).abs() < 1e-9);
}

#[test]
fn own_measures_add_or_replace_by_name_on_the_schedule() {
    // The 60% proposal replacing Section 301, on the law of 2026-12-01: CN direct pays
    // 2.6 + 60 + 12.5 = 75.1% of 40 = 30.04.
    let text = scenario(
        "8543.70.98",
        18.0,
        "",
        "[[regimes]]\nname = \"p60\"\nschedule = \"us\"\nas_of = \"2026-12-01\"\n[[regimes.measures]]\nname = \"china-60\"\norigins = [\"CN\"]\nad_valorem = 0.6\nreplaces = [\"Section 301\"]\n",
    );
    let p = plan(&text);
    let mut s = p.scratch();
    p.trial(1, 0, &mut s);
    assert!((s.outcomes[0].parts[part::DUTY] - 30.04).abs() < 1e-9);
}

#[test]
fn without_as_of_the_schedule_is_timed_from_start_date() {
    // From 2026-07-01: Section 122 (10%) ends after 07-23 (end_day 23), forced labour
    // (12.5% on CN) starts 07-24 (effective_day 23). A shipment entering on day 20 pays
    // 2.6 + 25 + 10; on day 30, 2.6 + 25 + 12.5.
    let regime = "[[regimes]]\nname = \"timed\"\nschedule = \"us\"\n";
    for (days, rate) in [(20.0, 0.376), (30.0, 0.401)] {
        let p = plan(&scenario(
            "8543.70.98",
            days,
            "start_date = \"2026-07-01\"",
            regime,
        ));
        let mut s = p.scratch();
        p.trial(1, 0, &mut s);
        let duty = s.outcomes[0].parts[part::DUTY];
        assert!(
            (duty - rate * 40.0).abs() < 1e-9,
            "{days} days: duty {duty}"
        );
    }
}

fn error_of(text: &str) -> String {
    match tariffsim::scenario::from_str("s.toml", text) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn schedule_errors_are_located() {
    let r = "[[regimes]]\nname = \"law\"\nschedule = \"us\"\nas_of = \"2026-12-01\"\n";
    // a line the schedule lacks: at goods.hs (line 5), with the nearest lines
    let e = error_of(&scenario("8543.71", 18.0, "", r));
    assert!(
        e.contains("s.toml:5:6") && e.contains("`goods.hs`") && e.contains("nearest: 8543.7"),
        "{e}"
    );
    // a date outside the span: at as_of
    let e = error_of(&scenario(
        "8543.70.98",
        18.0,
        "",
        &r.replace("2026-12-01", "2023-01-01"),
    ));
    assert!(
        e.contains("as_of") && e.contains("outside the schedule's span"),
        "{e}"
    );
    // no goods.hs
    let e = error_of(&scenario("8543.70.98", 18.0, "", r).replace("hs = \"8543.70.98\"\n", ""));
    assert!(e.contains("needs `goods.hs`"), "{e}");
    // neither as_of nor start_date
    let e = error_of(&scenario(
        "8543.70.98",
        18.0,
        "",
        &r.replace("as_of = \"2026-12-01\"\n", ""),
    ));
    assert!(e.contains("give `as_of"), "{e}");
    // as_of without a schedule, and an unknown schedule
    let e = error_of(&scenario(
        "8543.70.98",
        18.0,
        "",
        &r.replace("schedule = \"us\"\n", ""),
    ));
    assert!(e.contains("has no `schedule`"), "{e}");
    let e = error_of(&scenario(
        "8543.70.98",
        18.0,
        "",
        &r.replace("\"us\"", "\"eu\""),
    ));
    assert!(e.contains("unknown schedule `eu`"), "{e}");
}

/// One mistake, one error: when the schedule cannot build a regime's law (a bad
/// `[goods]`, an HTS line it lacks, a date outside its span), what names the schedule's
/// measures (`replaces`, `remove`, in that regime or one built on it) is not reported as
/// naming nothing, and a bad `[goods]` does not also say `goods.hs` is missing.
#[test]
fn a_law_the_schedule_cannot_build_gives_one_error() {
    let regimes = r#"[[regimes]]
name = "law"
schedule = "us"
as_of = "2026-12-01"

[[regimes]]
name = "proposal"
base = "law"
remove = ["Section 301"]
[[regimes.measures]]
name = "china-60"
origins = ["CN"]
ad_valorem = 0.6
replaces = ["MFN"]
"#;
    let ok = scenario("8543.70.98", 18.0, "", regimes);
    tariffsim::scenario::from_str("s.toml", &ok).unwrap_or_else(|e| panic!("{e}"));
    let one = |text: &str, says: &str| {
        let e = error_of(text);
        assert!(e.contains(says), "{e}");
        assert!(
            e.contains("1 error in the scenario"),
            "more than the one mistake:\n{e}"
        );
    };
    one(&ok.replace("8543.70.98", "8543.71"), "`goods.hs`");
    one(
        &ok.replace("2026-12-01", "2023-01-01"),
        "outside the schedule's span",
    );
    one(&ok.replace("units = ", "units = -"), "units");
}

#[test]
fn a_base_with_a_schedule_keeps_the_base_and_takes_the_law_of_its_date() {
    // `now`: the law of 2026-12-01 plus an entry fee of 2000 USD per entry (1 per unit)
    // and KORUS written with the MPF waiver. `then` has `now` as base and the law of
    // 2024-06-01: MFN 2.6 + Section 301 25 on CN (no forced labour), FY2024 MPF, and
    // keeps the entry fee and the KORUS of its base.
    let regimes = r#"[[regimes]]
name = "now"
schedule = "us"
as_of = "2026-12-01"
[regimes.fees]
entry_fee = 2000
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "shift"
waives_mpf = true

[[regimes]]
name = "then"
base = "now"
schedule = "us"
as_of = "2024-06-01"
"#;
    let built = tariffsim::scenario::from_str("s.toml", &scenario("8543.70.98", 18.0, "", regimes))
        .unwrap_or_else(|e| panic!("{e}"));
    let then = &built.scenario.regimes[1];
    let f = then.fees.as_ref().unwrap();
    assert_eq!((f.mpf_min, f.mpf_max, f.entry_fee), (31.67, 614.35, 2000.0));
    assert!(then.agreements[0].waives_mpf);
    assert!(
        then.de_minimis.is_some(),
        "2024: de minimis $800 for every origin"
    );
    let p = Plan::new(built.scenario).unwrap();
    let mut s = p.scratch();
    p.trial(1, 0, &mut s);
    let n = p.n_routes();
    // direct from CN in `then`: (0.026 + 0.25) * 40 = 11.04; fees: MPF 0.003464 * 80000
    // = 277.12, HMF 0.00125 * 80000 = 100, entry 2000 → 2377.12 / 2000 = 1.18856
    let o = s.outcomes[n];
    assert!((o.parts[part::DUTY] - 11.04).abs() < 1e-9, "{:?}", o.parts);
    assert!(
        (o.parts[part::FEES] - 1.18856).abs() < 1e-9,
        "{:?}",
        o.parts
    );
}
