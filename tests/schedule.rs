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
